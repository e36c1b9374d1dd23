import Crypto
import Foundation
import TollgateModel

/// Where the audit log is kept: append-only, each entry chained to the previous one by a hash.
public protocol AuditLogStore: Sendable {
    /// Appends an entry, chained to the last one, in one transaction; returns it as stored.
    @discardableResult
    func appendAuditEntry(actor: String, source: String, action: String, target: String, before: String?, after: String?,
                          at time: Date) async throws(StoreError) -> AuditLogEntry
    /// Entries at or after `since`, oldest first, at most `limit`.
    func auditEntries(since: Date?, limit: Int) async throws(StoreError) -> [AuditLogEntry]
    /// Every entry in order, and the chain's head as the store recorded it (its last hash and count).
    func auditChain() async throws(StoreError) -> (entries: [AuditLogEntry], headHash: String, headCount: Int)
}

/// The audit log's hash chain: how an entry's hash is made, and how a chain is checked.
public enum AuditChain {
    /// SHA-256 over the previous hash and the fields, each length-prefixed so no two entries hash alike.
    public static func hash(previous: String, time: Date, actor: String, source: String, action: String, target: String, before: String?,
                            after: String?) -> String {
        var input = Data()
        for field in [previous, String(format: "%.6f", time.timeIntervalSince1970), actor, source, action, target, before ?? "\u{0}", after ?? "\u{0}"] {
            let bytes = Data(field.utf8)
            input.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            input.append(bytes)
        }
        return SHA256.hash(data: input).map { String(format: "%02x", $0) }.joined()
    }

    /// The first entry that breaks the chain (edited, inserted or with one before it deleted), or a
    /// head that does not match (the newest entries deleted); nil when the log is intact.
    public static func firstProblem(entries: [AuditLogEntry], headHash: String, headCount: Int) -> String? {
        var previous = AuditLogEntry.genesis
        for entry in entries {
            guard entry.previousHash == previous else { return "entry \(entry.id): the entry before it was changed or deleted" }
            let expected = hash(previous: previous, time: entry.time, actor: entry.actor, source: entry.source, action: entry.action,
                                target: entry.target, before: entry.before, after: entry.after)
            guard entry.hash == expected else { return "entry \(entry.id): its content was changed" }
            previous = entry.hash
        }
        guard entries.count == headCount, previous == headHash else {
            return "the log ends at \(entries.count) entries, but \(headCount) were written: the newest were deleted"
        }
        return nil
    }
}
