import Foundation
import TollgateModel

/// Where bans are kept, one record per source, also after it expires (it counts for escalation).
/// Every node and every `tollgate ban` command shares them: a change by one is seen by the others
/// through ``bansRevision()``.
public protocol BanStore: Sendable {
    /// Writes a ban, replacing the record of the same source, and bumps ``bansRevision()``.
    func saveBan(_ ban: Ban) async throws(StoreError)
    /// The record of one source, active or expired.
    func ban(source: String) async throws(StoreError) -> Ban?
    /// Every ban record, active or expired (the latter count for escalation).
    func allBans() async throws(StoreError) -> [Ban]
    /// The bans in force at `date`, soonest to expire first.
    func activeBans(at date: Date) async throws(StoreError) -> [Ban]
    /// Lifts the ban of a source (the record stays, expired, for escalation); returns whether one was active.
    func liftBan(source: String, at date: Date) async throws(StoreError) -> Bool
    /// Lifts every active ban; returns how many were active.
    func liftAllBans(at date: Date) async throws(StoreError) -> Int
    /// A number that changes whenever a ban is saved or lifted, by this process or another.
    func bansRevision() async throws(StoreError) -> Int64
    /// The records saved or lifted after `revision` (a value ``bansRevision()`` or an earlier call
    /// returned), in the order they changed, and the revision to ask from next time. A node that
    /// keeps asking with the revision it was given misses no change, whatever connection dropped
    /// in between; a record changed twice comes once, as it is now.
    func banChanges(after revision: Int64) async throws(StoreError) -> (bans: [Ban], revision: Int64)
}
