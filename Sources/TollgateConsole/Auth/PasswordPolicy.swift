import Foundation

/// The console's password rules (OWASP ASVS 2.1): at least 12 characters and at most 128, not one of
/// the bundled common passwords, not the user's own name.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 12
    public static let maximumLength = 128

    /// Why a password is refused.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case tooShort
        case tooLong
        case common
        case sameAsName

        public var description: String {
            switch self {
            case .tooShort: "a password needs at least \(PasswordPolicy.minimumLength) characters"
            case .tooLong: "a password has at most \(PasswordPolicy.maximumLength) characters"
            case .common: "this password is on the list of common passwords that attackers try first"
            case .sameAsName: "a password must not be the user's name"
            }
        }
    }

    let common: Set<String>

    /// The bundled list of common passwords.
    public static func bundled() throws -> PasswordPolicy {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return PasswordPolicy(list: try String(contentsOf: url, encoding: .utf8))
    }

    public init(list: String) {
        common = Set(list.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    /// The number of passwords on the list.
    public var listSize: Int { common.count }

    public func check(_ password: String, user: String) throws(Refusal) {
        if password.count < Self.minimumLength { throw .tooShort }
        if password.count > Self.maximumLength { throw .tooLong }
        if common.contains(password.lowercased()) { throw .common }
        if password.lowercased() == user.lowercased() { throw .sameAsName }
    }
}
