import Foundation

/// A person who may use the console: a name, a role, and how they prove who they are. There is no
/// default user: the first one is made with `tollgate user add`, which prints a one-time enrolment
/// link where the user sets a password (and, for admin and operator, enrols TOTP).
public struct ConsoleUser: Sendable, Hashable, Codable {
    /// What a user may do; each role includes those below it.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Reads everything.
        case viewer
        /// Also bans and lifts bans, suspends, resumes and resets accounts, acknowledges alarms.
        case `operator`
        /// Also changes routing, trunks, Shield and fraud rules, and users.
        case admin

        var rank: Int {
            switch self {
            case .viewer: 0
            case .operator: 1
            case .admin: 2
            }
        }

        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

        /// Whether the role must use a second factor (TOTP).
        public var needsSecondFactor: Bool { self >= .operator }
    }

    public var name: String
    public var role: Role
    /// The password's bcrypt hash, once enrolled.
    public var passwordHash: String?
    /// The TOTP secret, once enrolled.
    public var totpSecret: String?
    /// The last TOTP time step accepted: a code is accepted only once.
    public var totpLastStep: Int64?
    /// SHA-256 (hex) of the pending enrolment token; the token itself is shown once and never stored.
    public var enrolmentTokenHash: String?
    public var enrolmentExpires: Date?
    public var created: Date

    public init(name: String, role: Role, passwordHash: String? = nil, totpSecret: String? = nil, totpLastStep: Int64? = nil,
                enrolmentTokenHash: String? = nil, enrolmentExpires: Date? = nil, created: Date) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.totpLastStep = totpLastStep
        self.enrolmentTokenHash = enrolmentTokenHash
        self.enrolmentExpires = enrolmentExpires
        self.created = created
    }

    /// Whether the user has finished enrolling (a password, and TOTP where the role needs it).
    public var isEnrolled: Bool { passwordHash != nil && (!role.needsSecondFactor || totpSecret != nil) }
}
