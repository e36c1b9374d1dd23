import Foundation
import HummingbirdOTP
import Testing

@testable import TollgateConsole

@Suite("TOTP (RFC 6238): vectors, the ±1 step window, a code accepted once")
struct TOTPCheckTests {
    /// RFC 6238 Appendix B: time, then the 8-digit codes for SHA-1, SHA-256 and SHA-512.
    @Test("the RFC 6238 test vectors", arguments: [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ] as [(Int64, String, String, String)])
    func vectors(time: Int64, sha1: String, sha256: String, sha512: String) {
        let step = time / 30
        #expect(TOTPCheck(secret: "12345678901234567890", hashFunction: .sha1).code(step: step, digits: 8) == sha1)
        #expect(TOTPCheck(secret: "12345678901234567890123456789012", hashFunction: .sha256).code(step: step, digits: 8) == sha256)
        #expect(TOTPCheck(secret: "1234567890123456789012345678901234567890123456789012345678901234", hashFunction: .sha512)
            .code(step: step, digits: 8) == sha512)
    }

    @Test("a code is right one step either side, not two; leading zeros are kept")
    func window() {
        let check = TOTPCheck(secret: TOTPCheck.newSecret())
        let now = Date(timeIntervalSince1970: 1_796_200_015)
        let step = TOTPCheck.step(at: now)
        #expect(check.accept(check.code(step: step), at: now, lastAccepted: nil) == step)
        #expect(check.accept(check.code(step: step - 1), at: now, lastAccepted: nil) == step - 1)
        #expect(check.accept(check.code(step: step + 1), at: now, lastAccepted: nil) == step + 1)
        #expect(check.accept(check.code(step: step - 2), at: now, lastAccepted: nil) == nil)
        #expect(check.accept(check.code(step: step + 2), at: now, lastAccepted: nil) == nil)
        #expect(TOTPCheck(secret: "12345678901234567890").code(step: 1_111_111_109 / 30, digits: 8).hasPrefix("0"))
        #expect(check.accept("12345", at: now, lastAccepted: nil) == nil && check.accept("abcdef", at: now, lastAccepted: nil) == nil)
    }

    @Test("a code replayed is refused, and so is an older one after a newer was accepted")
    func replay() {
        let check = TOTPCheck(secret: TOTPCheck.newSecret())
        let now = Date(timeIntervalSince1970: 1_796_200_015)
        let step = TOTPCheck.step(at: now)
        let accepted = check.accept(check.code(step: step), at: now, lastAccepted: nil)
        #expect(accepted == step)
        #expect(check.accept(check.code(step: step), at: now, lastAccepted: accepted) == nil, "the same code again")
        #expect(check.accept(check.code(step: step - 1), at: now, lastAccepted: accepted) == nil, "an older code")
        #expect(check.accept(check.code(step: step + 1), at: now, lastAccepted: accepted) == step + 1)
    }

    @Test("secrets are random base32 text; the URI and the manual entry carry them")
    func secrets() {
        let first = TOTPCheck.newSecret(), second = TOTPCheck.newSecret()
        #expect(first.count == 32 && first != second && first.allSatisfy { TOTPCheck.alphabet.contains($0) })
        let check = TOTPCheck(secret: "12345678901234567890")
        #expect(check.manualEntry == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")
        #expect(check.authenticatorURI(user: "ana").hasPrefix("otpauth://totp/Tollgate:ana?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
    }

    @Test("base32 as RFC 4648 §10 gives it", arguments: [("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
                                                        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")])
    func base32(text: String, encoded: String) {
        #expect(TOTPCheck.base32(Array(text.utf8)) == encoded)
    }
}
