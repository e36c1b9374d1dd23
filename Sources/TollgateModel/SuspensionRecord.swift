import Foundation

/// The stored suspension of one account: the one in force, or the last one, kept after it was lifted.
public struct SuspensionRecord: Sendable, Hashable {
    /// The account, when and why it was suspended.
    public var suspension: AccountSuspension
    /// When an operator lifted it; `nil` while it is in force.
    public var lifted: Date?

    public init(suspension: AccountSuspension, lifted: Date? = nil) {
        self.suspension = suspension
        self.lifted = lifted
    }

    /// Whether the account is still suspended.
    public var isActive: Bool { lifted == nil }
}
