#ifndef CTOLLGATE_SRTP_H
#define CTOLLGATE_SRTP_H

#include <stddef.h>
#include <stdint.h>

/// An expanded AES key (128 or 256 bits) for the processor's AES instructions.
typedef struct {
    _Alignas(16) uint8_t round_keys[15 * 16];
    int rounds;
} tg_aes_key;

/// Whether this processor has the AES instructions tg_aes_* need (x86-64 AES-NI with SSE4.1).
int tg_aes_available(void);

/// Expands a 16- or 32-byte key. Returns 0, or -1 for another length or without AES instructions.
int tg_aes_set_key(tg_aes_key *key, const uint8_t *bytes, size_t length);

/// XORs the AES counter-mode keystream that starts at the 16-byte counter block `iv` into `data`
/// (the counter counts blocks big-endian over the whole 128 bits, as RFC 3711 and NIST SP 800-38A do).
void tg_aes_ctr_xor(const tg_aes_key *key, const uint8_t iv[16], uint8_t *data, size_t length);

/// An AES-GCM key (RFC 7714's AEAD_AES_128_GCM and AEAD_AES_256_GCM): the AES key and GHASH's H.
typedef struct {
    tg_aes_key aes;
    _Alignas(16) uint8_t h[16];
} tg_gcm_key;

/// Whether AES-GCM runs here: AES instructions and carry-less multiplication (PCLMULQDQ).
int tg_gcm_available(void);

/// Prepares a 16- or 32-byte GCM key. Returns 0, or -1 for another length or without the instructions.
int tg_gcm_set_key(tg_gcm_key *key, const uint8_t *bytes, size_t length);

/// Encrypts `data` in place with a 12-byte nonce and writes the 16-byte tag over `aad` ‖ `aad2`
/// (the additional data, in two parts; either may be empty) and the ciphertext.
void tg_gcm_seal(const tg_gcm_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length, const uint8_t *aad2,
                 size_t aad2_length, uint8_t *data, size_t length, uint8_t tag[16]);

/// Checks the tag and decrypts `data` in place. Returns 0, or -1 (`data` untouched) when the tag does not match.
int tg_gcm_open(const tg_gcm_key *key, const uint8_t nonce[12], const uint8_t *aad, size_t aad_length, const uint8_t *aad2,
                size_t aad2_length, uint8_t *data, size_t length, const uint8_t tag[16]);

/// HMAC-SHA1 with its key pads already hashed: the inner and outer states after one block.
typedef struct {
    uint32_t inner[5];
    uint32_t outer[5];
} tg_hmac_sha1_key;

/// Prepares an HMAC-SHA1 key (any length; longer than 64 bytes is hashed first, as RFC 2104 says).
void tg_hmac_sha1_set_key(tg_hmac_sha1_key *key, const uint8_t *bytes, size_t length);

/// HMAC-SHA1 of `first` followed by `second` (which may be empty) into `mac` (20 bytes).
void tg_hmac_sha1(const tg_hmac_sha1_key *key, const uint8_t *first, size_t first_length, const uint8_t *second,
                  size_t second_length, uint8_t mac[20]);

/// SHA-1 of `data` into `digest` (20 bytes), for tests.
void tg_sha1(const uint8_t *data, size_t length, uint8_t digest[20]);

/// Whether SHA-1 runs on the processor's SHA instructions here (1), or in portable code (0).
int tg_sha1_uses_instructions(void);

/// Forces the portable SHA-1 (1) or lets the processor's instructions be used when present (0); for tests.
void tg_sha1_force_portable(int portable);

#endif
