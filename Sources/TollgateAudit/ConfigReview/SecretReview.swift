/// The secrets a configuration holds (SIP accounts, AMI users, admin passwords), judged together:
/// on the list of default and common passwords, too short, equal to the user or extension, or
/// reused across accounts. A finding never shows the secret itself.
public struct SecretReview: Sendable {
    /// One secret where it was found.
    public struct Secret: Sendable, Hashable {
        /// What it protects, for the finding: `auth 201`, `AMI user admin`, `phone admin password`.
        public var owner: String
        /// The user name it goes with (an extension), if any.
        public var user: String?
        public var value: String
        /// `file:line`.
        public var location: String
    }

    /// Shipped vendors' defaults and the commonest passwords on PBXs (the lists brute-force tools start with).
    public static let common: Set<String> = [
        "", "0000", "1111", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890", "4321", "54321", "654321",
        "000000", "111111", "123123", "abc123", "admin", "admin123", "administrator", "amp111", "changeme", "clue", "cluecon",
        "default", "guest", "letmein", "pass", "passw0rd", "password", "password1", "pbx", "qwerty", "root", "secret", "sip",
        "sipsecret", "test", "test123", "user", "voip", "welcome", "456", "22222", "1212", "12341234", "asterisk", "freepbx",
        "support", "service", "operator", "manager", "demo",
    ]

    private(set) var secrets: [Secret] = []

    public init() {}

    public mutating func add(owner: String, user: String?, value: String, location: String) {
        secrets.append(Secret(owner: owner, user: user, value: value, location: location))
    }

    /// Findings for every weak, default, user-equal or reused secret.
    public func findings() -> [AuditFinding] {
        var findings: [AuditFinding] = []
        var byValue: [String: [Secret]] = [:]
        for secret in secrets { byValue[secret.value, default: []].append(secret) }
        for secret in secrets {
            let lowered = secret.value.lowercased()
            if Self.common.contains(lowered) {
                findings.append(AuditFinding(
                    check: secret.value.isEmpty ? "empty-password" : "default-password", severity: .critical, subject: secret.location,
                    why: secret.value.isEmpty ? "\(secret.owner) has no password"
                        : "the password of \(secret.owner) is a shipped default or on the list of the commonest passwords",
                    fix: "give it a random password of at least 16 characters"))
            } else if let user = secret.user, !user.isEmpty, lowered == user.lowercased() {
                findings.append(AuditFinding(
                    check: "password-equals-user", severity: .critical, subject: secret.location,
                    why: "the password of \(secret.owner) is its own user name: the first guess of every password tool (svcrack tries it first)",
                    fix: "give it a random password of at least 16 characters"))
            } else if secret.value.count < 10 || secret.value.allSatisfy(\.isNumber) {
                findings.append(AuditFinding(
                    check: "weak-password", severity: .high, subject: secret.location,
                    why: "the password of \(secret.owner) is \(secret.value.allSatisfy(\.isNumber) ? "only digits" : "shorter than 10 characters"): online guessing finds it",
                    fix: "give it a random password of at least 16 characters"))
            }
            if let same = byValue[secret.value], same.count > 1, !secret.value.isEmpty, same.first != secret {
                findings.append(AuditFinding(
                    check: "reused-password", severity: .high, subject: secret.location,
                    why: "\(secret.owner) has the same password as \(same.first.map { "\($0.owner) (\($0.location))" } ?? "another account"): one leak opens both",
                    fix: "give every account a password of its own"))
            }
        }
        return findings
    }
}
