// AES counter mode and HMAC-SHA1 for SRTP, in place and without allocation: AES on the processor's
// AES instructions (x86-64 AES-NI), SHA-1 on its SHA instructions when present and in portable C
// otherwise. The Swift side checks tg_aes_available() and keeps swift-crypto's path elsewhere.
#include "CTollgateSRTP.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TG_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

// MARK: - Processor features

#if TG_X86
static int tg_cpu_has(unsigned leaf, unsigned subleaf, int reg, unsigned bit) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(leaf, subleaf, &a, &b, &c, &d)) return 0;
    unsigned value = reg == 1 ? b : reg == 2 ? c : d;
    return (value >> bit) & 1;
}
#endif

int tg_aes_available(void) {
#if TG_X86
    // AES-NI: CPUID.1:ECX bit 25; SSSE3 (bit 9) and SSE4.1 (bit 19) for the byte shuffles.
    return tg_cpu_has(1, 0, 2, 25) && tg_cpu_has(1, 0, 2, 9) && tg_cpu_has(1, 0, 2, 19);
#else
    return 0;
#endif
}

static int tg_sha_instructions(void) {
#if TG_X86
    // SHA extensions: CPUID.(7,0):EBX bit 29; SSE4.1 for the lane extract.
    return tg_cpu_has(7, 0, 1, 29) && tg_cpu_has(1, 0, 2, 19) && tg_cpu_has(1, 0, 2, 9);
#else
    return 0;
#endif
}

// MARK: - AES

#if TG_X86
/// The key schedule's running XOR of a round key's words: w0, w0^w1, w0^w1^w2, w0^w1^w2^w3.
__attribute__((target("aes,sse4.1")))
static __m128i tg_cascade(__m128i key) {
    __m128i shifted = _mm_slli_si128(key, 4);
    key = _mm_xor_si128(key, shifted);
    shifted = _mm_slli_si128(shifted, 4);
    key = _mm_xor_si128(key, shifted);
    shifted = _mm_slli_si128(shifted, 4);
    return _mm_xor_si128(key, shifted);
}

/// The next round key from `key` and the key-generation assist of the latest one (its rotated, substituted last word).
__attribute__((target("aes,sse4.1")))
static __m128i tg_expand_128(__m128i key, __m128i assist) {
    return _mm_xor_si128(tg_cascade(key), _mm_shuffle_epi32(assist, 0xff));
}

/// AES-256's odd round keys: the substituted (not rotated) last word of the round key before.
__attribute__((target("aes,sse4.1")))
static __m128i tg_expand_256_odd(__m128i previous, __m128i key) {
    return _mm_xor_si128(tg_cascade(key), _mm_shuffle_epi32(_mm_aeskeygenassist_si128(previous, 0x00), 0xaa));
}

__attribute__((target("aes,sse4.1")))
static void tg_aes_expand(tg_aes_key *key, const uint8_t *bytes, size_t length) {
    __m128i *rk = (__m128i *)key->round_keys;
    if (length == 16) {
        key->rounds = 10;
        rk[0] = _mm_loadu_si128((const __m128i *)bytes);
        rk[1] = tg_expand_128(rk[0], _mm_aeskeygenassist_si128(rk[0], 0x01));
        rk[2] = tg_expand_128(rk[1], _mm_aeskeygenassist_si128(rk[1], 0x02));
        rk[3] = tg_expand_128(rk[2], _mm_aeskeygenassist_si128(rk[2], 0x04));
        rk[4] = tg_expand_128(rk[3], _mm_aeskeygenassist_si128(rk[3], 0x08));
        rk[5] = tg_expand_128(rk[4], _mm_aeskeygenassist_si128(rk[4], 0x10));
        rk[6] = tg_expand_128(rk[5], _mm_aeskeygenassist_si128(rk[5], 0x20));
        rk[7] = tg_expand_128(rk[6], _mm_aeskeygenassist_si128(rk[6], 0x40));
        rk[8] = tg_expand_128(rk[7], _mm_aeskeygenassist_si128(rk[7], 0x80));
        rk[9] = tg_expand_128(rk[8], _mm_aeskeygenassist_si128(rk[8], 0x1b));
        rk[10] = tg_expand_128(rk[9], _mm_aeskeygenassist_si128(rk[9], 0x36));
    } else {
        key->rounds = 14;
        rk[0] = _mm_loadu_si128((const __m128i *)bytes);
        rk[1] = _mm_loadu_si128((const __m128i *)(bytes + 16));
        rk[2] = tg_expand_128(rk[0], _mm_aeskeygenassist_si128(rk[1], 0x01));
        rk[3] = tg_expand_256_odd(rk[2], rk[1]);
        rk[4] = tg_expand_128(rk[2], _mm_aeskeygenassist_si128(rk[3], 0x02));
        rk[5] = tg_expand_256_odd(rk[4], rk[3]);
        rk[6] = tg_expand_128(rk[4], _mm_aeskeygenassist_si128(rk[5], 0x04));
        rk[7] = tg_expand_256_odd(rk[6], rk[5]);
        rk[8] = tg_expand_128(rk[6], _mm_aeskeygenassist_si128(rk[7], 0x08));
        rk[9] = tg_expand_256_odd(rk[8], rk[7]);
        rk[10] = tg_expand_128(rk[8], _mm_aeskeygenassist_si128(rk[9], 0x10));
        rk[11] = tg_expand_256_odd(rk[10], rk[9]);
        rk[12] = tg_expand_128(rk[10], _mm_aeskeygenassist_si128(rk[11], 0x20));
        rk[13] = tg_expand_256_odd(rk[12], rk[11]);
        rk[14] = tg_expand_128(rk[12], _mm_aeskeygenassist_si128(rk[13], 0x40));
    }
}

__attribute__((target("aes,sse4.1")))
static inline __m128i tg_aes_encrypt(const __m128i *rk, int rounds, __m128i block) {
    block = _mm_xor_si128(block, rk[0]);
    for (int round = 1; round < rounds; round++) block = _mm_aesenc_si128(block, rk[round]);
    return _mm_aesenclast_si128(block, rk[rounds]);
}

__attribute__((target("aes,sse4.1")))
static void tg_aes_ctr_xor_ni(const tg_aes_key *key, const uint8_t iv[16], uint8_t *data, size_t length) {
    const __m128i *rk = (const __m128i *)key->round_keys;
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    uint64_t high = 0, low = 0;
    for (int i = 0; i < 8; i++) high = (high << 8) | iv[i];
    for (int i = 8; i < 16; i++) low = (low << 8) | iv[i];
#define TG_COUNTER(h, l) _mm_shuffle_epi8(_mm_set_epi64x((long long)(h), (long long)(l)), swap)
    while (length >= 64) {
        __m128i b0 = TG_COUNTER(high, low);
        if (++low == 0) high++;
        __m128i b1 = TG_COUNTER(high, low);
        if (++low == 0) high++;
        __m128i b2 = TG_COUNTER(high, low);
        if (++low == 0) high++;
        __m128i b3 = TG_COUNTER(high, low);
        if (++low == 0) high++;
        b0 = _mm_xor_si128(b0, rk[0]);
        b1 = _mm_xor_si128(b1, rk[0]);
        b2 = _mm_xor_si128(b2, rk[0]);
        b3 = _mm_xor_si128(b3, rk[0]);
        for (int round = 1; round < key->rounds; round++) {
            b0 = _mm_aesenc_si128(b0, rk[round]);
            b1 = _mm_aesenc_si128(b1, rk[round]);
            b2 = _mm_aesenc_si128(b2, rk[round]);
            b3 = _mm_aesenc_si128(b3, rk[round]);
        }
        b0 = _mm_aesenclast_si128(b0, rk[key->rounds]);
        b1 = _mm_aesenclast_si128(b1, rk[key->rounds]);
        b2 = _mm_aesenclast_si128(b2, rk[key->rounds]);
        b3 = _mm_aesenclast_si128(b3, rk[key->rounds]);
        _mm_storeu_si128((__m128i *)data, _mm_xor_si128(_mm_loadu_si128((const __m128i *)data), b0));
        _mm_storeu_si128((__m128i *)(data + 16), _mm_xor_si128(_mm_loadu_si128((const __m128i *)(data + 16)), b1));
        _mm_storeu_si128((__m128i *)(data + 32), _mm_xor_si128(_mm_loadu_si128((const __m128i *)(data + 32)), b2));
        _mm_storeu_si128((__m128i *)(data + 48), _mm_xor_si128(_mm_loadu_si128((const __m128i *)(data + 48)), b3));
        data += 64;
        length -= 64;
    }
    while (length > 0) {
        __m128i stream = tg_aes_encrypt(rk, key->rounds, TG_COUNTER(high, low));
        if (++low == 0) high++;
        if (length >= 16) {
            _mm_storeu_si128((__m128i *)data, _mm_xor_si128(_mm_loadu_si128((const __m128i *)data), stream));
            data += 16;
            length -= 16;
        } else {
            uint8_t bytes[16];
            _mm_storeu_si128((__m128i *)bytes, stream);
            for (size_t i = 0; i < length; i++) data[i] ^= bytes[i];
            length = 0;
        }
    }
#undef TG_COUNTER
}
#endif

int tg_aes_set_key(tg_aes_key *key, const uint8_t *bytes, size_t length) {
#if TG_X86
    if ((length != 16 && length != 32) || !tg_aes_available()) return -1;
    tg_aes_expand(key, bytes, length);
    return 0;
#else
    (void)key; (void)bytes; (void)length;
    return -1;
#endif
}

void tg_aes_ctr_xor(const tg_aes_key *key, const uint8_t iv[16], uint8_t *data, size_t length) {
#if TG_X86
    tg_aes_ctr_xor_ni(key, iv, data, length);
#else
    (void)key; (void)iv; (void)data; (void)length;
#endif
}

// MARK: - AES-GCM (NIST SP 800-38D): counter mode from inc32(J0), GHASH on carry-less multiplication

int tg_gcm_available(void) {
#if TG_X86
    return tg_aes_available() && tg_cpu_has(1, 0, 2, 1);  // PCLMULQDQ: CPUID.1:ECX bit 1
#else
    return 0;
#endif
}

#if TG_X86
/// a • b in GF(2^128), both in GHASH's byte-reversed form (Intel's carry-less multiplication white paper).
__attribute__((target("pclmul,sse4.1")))
static __m128i tg_gf_multiply(__m128i a, __m128i b) {
    __m128i t3 = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i t4 = _mm_clmulepi64_si128(a, b, 0x10);
    __m128i t5 = _mm_clmulepi64_si128(a, b, 0x01);
    __m128i t6 = _mm_clmulepi64_si128(a, b, 0x11);
    t4 = _mm_xor_si128(t4, t5);
    t5 = _mm_slli_si128(t4, 8);
    t4 = _mm_srli_si128(t4, 8);
    t3 = _mm_xor_si128(t3, t5);
    t6 = _mm_xor_si128(t6, t4);
    // Shift the 256-bit product left by one (the reflected form).
    __m128i t7 = _mm_srli_epi32(t3, 31);
    __m128i t8 = _mm_srli_epi32(t6, 31);
    t3 = _mm_slli_epi32(t3, 1);
    t6 = _mm_slli_epi32(t6, 1);
    __m128i t9 = _mm_srli_si128(t7, 12);
    t8 = _mm_slli_si128(t8, 4);
    t7 = _mm_slli_si128(t7, 4);
    t3 = _mm_or_si128(t3, t7);
    t6 = _mm_or_si128(t6, t8);
    t6 = _mm_or_si128(t6, t9);
    // Reduce modulo x^128 + x^7 + x^2 + x + 1.
    t7 = _mm_slli_epi32(t3, 31);
    t8 = _mm_slli_epi32(t3, 30);
    t9 = _mm_slli_epi32(t3, 25);
    t7 = _mm_xor_si128(t7, t8);
    t7 = _mm_xor_si128(t7, t9);
    t8 = _mm_srli_si128(t7, 4);
    t7 = _mm_slli_si128(t7, 12);
    t3 = _mm_xor_si128(t3, t7);
    __m128i t2 = _mm_srli_epi32(t3, 1);
    t4 = _mm_srli_epi32(t3, 2);
    t5 = _mm_srli_epi32(t3, 7);
    t2 = _mm_xor_si128(t2, t4);
    t2 = _mm_xor_si128(t2, t5);
    t2 = _mm_xor_si128(t2, t8);
    t3 = _mm_xor_si128(t3, t2);
    return _mm_xor_si128(t6, t3);
}

/// GHASH's running state: Y and a partial block of the part being hashed.
typedef struct {
    __m128i y;
    __m128i h;
    uint8_t pending[16];
    size_t filled;
} tg_ghash;

__attribute__((target("pclmul,sse4.1")))
static void tg_ghash_block(tg_ghash *g, const uint8_t block[16]) {
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)block), swap);
    g->y = tg_gf_multiply(_mm_xor_si128(g->y, x), g->h);
}

/// Hashes bytes of the current part (additional data or ciphertext); a part ends with tg_ghash_pad.
__attribute__((target("pclmul,sse4.1")))
static void tg_ghash_update(tg_ghash *g, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        if (g->filled == 0 && length >= 16) {
            tg_ghash_block(g, bytes);
            bytes += 16;
            length -= 16;
            continue;
        }
        size_t take = 16 - g->filled < length ? 16 - g->filled : length;
        memcpy(g->pending + g->filled, bytes, take);
        g->filled += take;
        bytes += take;
        length -= take;
        if (g->filled == 16) {
            tg_ghash_block(g, g->pending);
            g->filled = 0;
        }
    }
}

/// Ends a part: its last block is padded with zeros.
__attribute__((target("pclmul,sse4.1")))
static void tg_ghash_pad(tg_ghash *g) {
    if (g->filled == 0) return;
    memset(g->pending + g->filled, 0, 16 - g->filled);
    tg_ghash_block(g, g->pending);
    g->filled = 0;
}

/// The tag: GHASH over the additional data and the ciphertext, with their lengths, XOR E(K, J0).
__attribute__((target("aes,pclmul,sse4.1")))
static void tg_gcm_tag(const tg_gcm_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length, const uint8_t *aad2,
                       size_t aad2_length, const uint8_t *ciphertext, size_t length, uint8_t tag[16]) {
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    tg_ghash g;
    g.y = _mm_setzero_si128();
    g.h = _mm_load_si128((const __m128i *)key->h);
    g.filled = 0;
    tg_ghash_update(&g, aad, aad_length);
    tg_ghash_update(&g, aad2, aad2_length);
    tg_ghash_pad(&g);
    tg_ghash_update(&g, ciphertext, length);
    tg_ghash_pad(&g);
    uint8_t lengths[16];
    uint64_t aad_bits = (uint64_t)(aad_length + aad2_length) * 8, text_bits = (uint64_t)length * 8;
    for (int i = 0; i < 8; i++) {
        lengths[i] = (uint8_t)(aad_bits >> (56 - 8 * i));
        lengths[8 + i] = (uint8_t)(text_bits >> (56 - 8 * i));
    }
    tg_ghash_block(&g, lengths);
    uint8_t j0[16];
    memcpy(j0, nonce, 12);
    j0[12] = 0; j0[13] = 0; j0[14] = 0; j0[15] = 1;
    __m128i mask = tg_aes_encrypt((const __m128i *)key->aes.round_keys, key->aes.rounds, _mm_loadu_si128((const __m128i *)j0));
    _mm_storeu_si128((__m128i *)tag, _mm_xor_si128(_mm_shuffle_epi8(g.y, swap), mask));
}
#endif

int tg_gcm_set_key(tg_gcm_key *key, const uint8_t *bytes, size_t length) {
#if TG_X86
    if (!tg_gcm_available() || tg_aes_set_key(&key->aes, bytes, length) != 0) return -1;
    // H = E(K, 0^128), kept byte-reversed for the multiplication.
    uint8_t h[16] = {0};
    uint8_t counter[16] = {0};
    tg_aes_ctr_xor(&key->aes, counter, h, 16);
    for (int i = 0; i < 16; i++) key->h[i] = h[15 - i];
    memset(h, 0, sizeof h);
    return 0;
#else
    (void)key; (void)bytes; (void)length;
    return -1;
#endif
}

/// The counter block the keystream starts from: inc32(J0) = nonce ‖ 00000002.
static void tg_gcm_first_counter(const uint8_t nonce[12], uint8_t counter[16]) {
    memcpy(counter, nonce, 12);
    counter[12] = 0; counter[13] = 0; counter[14] = 0; counter[15] = 2;
}

void tg_gcm_seal(const tg_gcm_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length, const uint8_t *aad2,
                 size_t aad2_length, uint8_t *data, size_t length, uint8_t tag[16]) {
#if TG_X86
    uint8_t counter[16];
    tg_gcm_first_counter(nonce, counter);
    tg_aes_ctr_xor(&key->aes, counter, data, length);
    tg_gcm_tag(key, nonce, aad, aad_length, aad2, aad2_length, data, length, tag);
#else
    (void)key; (void)nonce; (void)aad; (void)aad_length; (void)aad2; (void)aad2_length; (void)data; (void)length; (void)tag;
#endif
}

int tg_gcm_open(const tg_gcm_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length, const uint8_t *aad2,
                size_t aad2_length, uint8_t *data, size_t length, const uint8_t tag[16]) {
#if TG_X86
    uint8_t expected[16];
    tg_gcm_tag(key, nonce, aad, aad_length, aad2, aad2_length, data, length, expected);
    uint8_t difference = 0;
    for (int i = 0; i < 16; i++) difference |= expected[i] ^ tag[i];
    if (difference != 0) return -1;
    uint8_t counter[16];
    tg_gcm_first_counter(nonce, counter);
    tg_aes_ctr_xor(&key->aes, counter, data, length);
    return 0;
#else
    (void)key; (void)nonce; (void)aad; (void)aad_length; (void)aad2; (void)aad2_length; (void)data; (void)length; (void)tag;
    return -1;
#endif
}

// MARK: - SHA-1

static const uint32_t tg_sha1_initial[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};

static inline uint32_t tg_rotl(uint32_t value, int bits) { return (value << bits) | (value >> (32 - bits)); }

static void tg_sha1_blocks_portable(uint32_t state[5], const uint8_t *data, size_t blocks) {
    while (blocks-- > 0) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++) {
            w[i] = ((uint32_t)data[4 * i] << 24) | ((uint32_t)data[4 * i + 1] << 16) | ((uint32_t)data[4 * i + 2] << 8) | data[4 * i + 3];
        }
        for (int i = 16; i < 80; i++) w[i] = tg_rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999u; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1u; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDCu; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6u; }
            uint32_t t = tg_rotl(a, 5) + f + e + k + w[i];
            e = d; d = c; c = tg_rotl(b, 30); b = a; a = t;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d; state[4] += e;
        data += 64;
    }
}

#if TG_X86
// Four rounds with function `f`: E takes the message words `w`, the next words are scheduled.
#define TG_SHA1_GROUP(f, e, other, w, next, after, previous) \
    e = _mm_sha1nexte_epu32(e, w);                              \
    other = ABCD;                                               \
    next = _mm_sha1msg2_epu32(next, w);                         \
    ABCD = _mm_sha1rnds4_epu32(ABCD, e, f);                     \
    previous = _mm_sha1msg1_epu32(previous, w);                 \
    after = _mm_xor_si128(after, w)

__attribute__((target("sha,sse4.1")))
static void tg_sha1_blocks_ni(uint32_t state[5], const uint8_t *data, size_t blocks) {
    const __m128i MASK = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i ABCD = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1B);
    __m128i E0 = _mm_set_epi32((int)state[4], 0, 0, 0);
    __m128i E1, MSG0, MSG1, MSG2, MSG3;
    while (blocks-- > 0) {
        __m128i ABCD_SAVE = ABCD;
        __m128i E0_SAVE = E0;
        // Rounds 0-11: the first message words are loaded and the schedule starts.
        MSG0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), MASK);
        E0 = _mm_add_epi32(E0, MSG0);
        E1 = ABCD;
        ABCD = _mm_sha1rnds4_epu32(ABCD, E0, 0);
        MSG1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), MASK);
        E1 = _mm_sha1nexte_epu32(E1, MSG1);
        E0 = ABCD;
        ABCD = _mm_sha1rnds4_epu32(ABCD, E1, 0);
        MSG0 = _mm_sha1msg1_epu32(MSG0, MSG1);
        MSG2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), MASK);
        E0 = _mm_sha1nexte_epu32(E0, MSG2);
        E1 = ABCD;
        ABCD = _mm_sha1rnds4_epu32(ABCD, E0, 0);
        MSG1 = _mm_sha1msg1_epu32(MSG1, MSG2);
        MSG0 = _mm_xor_si128(MSG0, MSG2);
        MSG3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), MASK);
        // Rounds 12-79, four at a time, the message schedule rotating through MSG0-3 (the last
        // groups' schedule steps compute words no round reads; they are harmless).
        TG_SHA1_GROUP(0, E1, E0, MSG3, MSG0, MSG1, MSG2);
        TG_SHA1_GROUP(0, E0, E1, MSG0, MSG1, MSG2, MSG3);
        TG_SHA1_GROUP(1, E1, E0, MSG1, MSG2, MSG3, MSG0);
        TG_SHA1_GROUP(1, E0, E1, MSG2, MSG3, MSG0, MSG1);
        TG_SHA1_GROUP(1, E1, E0, MSG3, MSG0, MSG1, MSG2);
        TG_SHA1_GROUP(1, E0, E1, MSG0, MSG1, MSG2, MSG3);
        TG_SHA1_GROUP(1, E1, E0, MSG1, MSG2, MSG3, MSG0);
        TG_SHA1_GROUP(2, E0, E1, MSG2, MSG3, MSG0, MSG1);
        TG_SHA1_GROUP(2, E1, E0, MSG3, MSG0, MSG1, MSG2);
        TG_SHA1_GROUP(2, E0, E1, MSG0, MSG1, MSG2, MSG3);
        TG_SHA1_GROUP(2, E1, E0, MSG1, MSG2, MSG3, MSG0);
        TG_SHA1_GROUP(2, E0, E1, MSG2, MSG3, MSG0, MSG1);
        TG_SHA1_GROUP(3, E1, E0, MSG3, MSG0, MSG1, MSG2);
        TG_SHA1_GROUP(3, E0, E1, MSG0, MSG1, MSG2, MSG3);
        TG_SHA1_GROUP(3, E1, E0, MSG1, MSG2, MSG3, MSG0);
        TG_SHA1_GROUP(3, E0, E1, MSG2, MSG3, MSG0, MSG1);
        TG_SHA1_GROUP(3, E1, E0, MSG3, MSG0, MSG1, MSG2);
        E0 = _mm_sha1nexte_epu32(E0, E0_SAVE);
        ABCD = _mm_add_epi32(ABCD, ABCD_SAVE);
        data += 64;
    }
    ABCD = _mm_shuffle_epi32(ABCD, 0x1B);
    _mm_storeu_si128((__m128i *)state, ABCD);
    state[4] = (uint32_t)_mm_extract_epi32(E0, 3);
}
#endif

static int tg_sha1_portable_forced = 0;

void tg_sha1_force_portable(int portable) { tg_sha1_portable_forced = portable; }

int tg_sha1_uses_instructions(void) { return !tg_sha1_portable_forced && tg_sha_instructions(); }

static void tg_sha1_blocks(uint32_t state[5], const uint8_t *data, size_t blocks) {
#if TG_X86
    static int instructions = -1;
    if (instructions < 0) instructions = tg_sha_instructions();
    if (instructions && !tg_sha1_portable_forced) {
        tg_sha1_blocks_ni(state, data, blocks);
        return;
    }
#endif
    tg_sha1_blocks_portable(state, data, blocks);
}

/// Hashes `first` then `second` on from `state`, which has already taken `prefix` bytes (whole
/// blocks), and writes the digest.
static void tg_sha1_finish(uint32_t state[5], uint64_t prefix, const uint8_t *first, size_t first_length, const uint8_t *second,
                           size_t second_length, uint8_t digest[20]) {
    uint8_t block[64];
    size_t filled = 0;
    uint64_t total = prefix + first_length + second_length;
    const uint8_t *parts[2] = {first, second};
    size_t lengths[2] = {first_length, second_length};
    for (int p = 0; p < 2; p++) {
        const uint8_t *bytes = parts[p];
        size_t length = lengths[p];
        if (filled > 0 && length > 0) {
            size_t take = 64 - filled < length ? 64 - filled : length;
            memcpy(block + filled, bytes, take);
            filled += take;
            bytes += take;
            length -= take;
            if (filled == 64) {
                tg_sha1_blocks(state, block, 1);
                filled = 0;
            }
        }
        if (length >= 64) {
            tg_sha1_blocks(state, bytes, length / 64);
            bytes += length / 64 * 64;
            length %= 64;
        }
        if (length > 0) {
            memcpy(block + filled, bytes, length);
            filled += length;
        }
    }
    block[filled++] = 0x80;
    if (filled > 56) {
        memset(block + filled, 0, 64 - filled);
        tg_sha1_blocks(state, block, 1);
        filled = 0;
    }
    memset(block + filled, 0, 56 - filled);
    uint64_t bits = total * 8;
    for (int i = 0; i < 8; i++) block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    tg_sha1_blocks(state, block, 1);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)state[i];
    }
}

void tg_sha1(const uint8_t *data, size_t length, uint8_t digest[20]) {
    uint32_t state[5];
    memcpy(state, tg_sha1_initial, sizeof state);
    tg_sha1_finish(state, 0, data, length, NULL, 0, digest);
}

// MARK: - HMAC-SHA1

void tg_hmac_sha1_set_key(tg_hmac_sha1_key *key, const uint8_t *bytes, size_t length) {
    uint8_t padded[64] = {0};
    if (length > 64) {
        tg_sha1(bytes, length, padded);
    } else if (length > 0) {
        memcpy(padded, bytes, length);
    }
    uint8_t pad[64];
    for (int i = 0; i < 64; i++) pad[i] = padded[i] ^ 0x36;
    memcpy(key->inner, tg_sha1_initial, sizeof key->inner);
    tg_sha1_blocks(key->inner, pad, 1);
    for (int i = 0; i < 64; i++) pad[i] = padded[i] ^ 0x5c;
    memcpy(key->outer, tg_sha1_initial, sizeof key->outer);
    tg_sha1_blocks(key->outer, pad, 1);
    memset(padded, 0, sizeof padded);
    memset(pad, 0, sizeof pad);
}

void tg_hmac_sha1(const tg_hmac_sha1_key *key, const uint8_t *first, size_t first_length, const uint8_t *second,
                  size_t second_length, uint8_t mac[20]) {
    uint32_t state[5];
    uint8_t inner[20];
    memcpy(state, key->inner, sizeof state);
    tg_sha1_finish(state, 64, first, first_length, second, second_length, inner);
    memcpy(state, key->outer, sizeof state);
    tg_sha1_finish(state, 64, inner, 20, NULL, 0, mac);
}
