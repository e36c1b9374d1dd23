import Crypto
import Foundation
import HummingbirdOTP

/// TOTP (RFC 6238) as the console checks it: HummingbirdOTP computes the codes; this adds what it
/// leaves out — codes as text with their leading zeros, a window of one time step either side for
/// clocks a little apart, and a code accepted only once (the step it belongs to must be later than the
/// last one accepted).
public struct TOTPCheck: Sendable {
    public static let timeStep = 30
    public static let digits = 6
    /// The characters a secret is made of: base32's, so that it reads well when typed in by hand.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public let secret: String
    public let hashFunction: OTPHashFunction

    public init(secret: String, hashFunction: OTPHashFunction = .sha1) {
        self.secret = secret
        self.hashFunction = hashFunction
    }

    /// A new secret: 32 characters (160 bits) from the system's secure random source.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// The time step a moment falls in.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(timeStep)).rounded(.down))
    }

    /// The code for `step`, as text with its leading zeros.
    public func code(step: Int64, digits: Int = TOTPCheck.digits) -> String {
        let totp = TOTP(secret: secret, length: digits, timeStep: Self.timeStep, hashFunction: hashFunction)
        let value = totp.compute(date: Date(timeIntervalSince1970: Double(step) * Double(Self.timeStep)))
        let text = String(value)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The step `code` belongs to when it is right at `date` (one step either side allowed) and newer
    /// than `lastAccepted`; nil otherwise (wrong, too old or too new, or already used).
    public func accept(_ code: String, at date: Date, lastAccepted: Int64?) -> Int64? {
        let trimmed = code.filter { !$0.isWhitespace }
        guard trimmed.count == Self.digits, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let now = Self.step(at: date)
        for step in [now, now - 1, now + 1] where step > (lastAccepted ?? Int64.min) {
            // Compared in constant time: a wrong code tells nothing about the right one.
            if SecretToken.equal(self.code(step: step), trimmed) { return step }
        }
        return nil
    }

    /// The `otpauth://` URI an authenticator app reads (from a QR code or a link).
    public func authenticatorURI(user: String, issuer: String = "Tollgate") -> String {
        TOTP(secret: secret, length: Self.digits, timeStep: Self.timeStep, hashFunction: hashFunction)
            .createAuthenticatorURL(label: "\(issuer):\(user)", issuer: issuer)
    }

    /// The secret as an authenticator app's manual entry wants it (base32 of its bytes, in groups of four).
    public var manualEntry: String {
        let base32 = Self.base32(Array(secret.utf8))
        return stride(from: 0, to: base32.count, by: 4).map { offset in
            let start = base32.index(base32.startIndex, offsetBy: offset)
            return String(base32[start..<base32.index(start, offsetBy: min(4, base32.count - offset))])
        }.joined(separator: " ")
    }

    /// RFC 4648 base32 without padding.
    static func base32(_ bytes: [UInt8]) -> String {
        var out = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}

extension TOTPCheck {
    /// Whether `text` is a secret ``newSecret()`` could have made (32 base32 characters).
    public static func isValidSecret(_ text: String) -> Bool {
        text.count == 32 && text.allSatisfy { alphabet.contains($0) }
    }
}
