import Foundation

/// One entry of the audit log: who did what, when, from where, to what, with the state before and
/// after. Each entry is chained to the one before by a hash, so an edited or deleted row is found
/// (`tollgate audit-log verify`).
public struct AuditLogEntry: Sendable, Hashable, Codable {
    /// The row id the store gave the entry.
    public var id: Int64
    public var time: Date
    /// Who: a console user, or `cli:<login>` for a command run on the host.
    public var actor: String
    /// Where from: an address, or `local`.
    public var source: String
    /// What, as a stable name: `user.add`, `user.reset`, `user.remove`, `login.failed`, …
    public var action: String
    /// What it was done to.
    public var target: String
    public var before: String?
    public var after: String?
    /// The hash of the entry before (64 zeros for the first).
    public var previousHash: String
    /// SHA-256 (hex) over the previous hash and this entry's fields.
    public var hash: String

    public init(id: Int64, time: Date, actor: String, source: String, action: String, target: String, before: String?, after: String?,
                previousHash: String, hash: String) {
        self.id = id
        self.time = time
        self.actor = actor
        self.source = source
        self.action = action
        self.target = target
        self.before = before
        self.after = after
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash of the first entry's predecessor.
    public static let genesis = String(repeating: "0", count: 64)
}
