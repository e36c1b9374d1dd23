import Foundation

/// The one-time token of an enrolment link: 32 random bytes, shown once as base64url; only its
/// SHA-256 is stored, so a copy of the store does not hold a usable link.
public struct EnrolmentToken: Sendable {
    /// How long a link stays valid.
    public static let lifetime: TimeInterval = 86_400

    /// The token as the link carries it.
    public let text: String

    public init() {
        text = SecretToken.make()
    }

    /// What the store keeps: the token's SHA-256 in hex.
    public var hash: String { Self.hash(text) }

    public static func hash(_ text: String) -> String { SecretToken.hash(text) }

    /// A user name the console accepts: 1–32 of a–z, 0–9, `.`, `_`, `-`, starting with a letter.
    public static func isValidUserName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter, first.isASCII, (1...32).contains(name.count) else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "_" || $0 == "-" }
    }
}
