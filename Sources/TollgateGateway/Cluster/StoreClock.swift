import Foundation
import NIOConcurrencyHelpers
import TollgateModel
import TollgateStore

/// How far the store's clock is from this node's, so that a ban's times are the database's: a ban
/// this node makes is written in the store's time, and a ban read from the store is held in this
/// node's, so every node ends it at the same moment whatever its own clock says. The offset is
/// measured at start and with every heartbeat; an SQLite store's clock is this machine's (no offset).
public final class StoreClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)

    public init() {}

    /// The store's time minus this node's, in seconds.
    public var current: TimeInterval { offset.withLockedValue { $0 } }

    /// Asks the store for its time and keeps the offset (against the middle of the round trip).
    public func measure(_ store: any Store) async throws(StoreError) {
        let before = Date()
        let theirs = try await store.databaseTime()
        let after = Date()
        let middle = before.addingTimeInterval(after.timeIntervalSince(before) / 2)
        offset.withLockedValue { $0 = theirs.timeIntervalSince(middle) }
    }

    /// A ban made on this node, in the store's time.
    public func toStore(_ ban: Ban) -> Ban {
        shifted(ban, by: current)
    }

    /// A ban read from the store, in this node's time.
    public func fromStore(_ ban: Ban) -> Ban {
        shifted(ban, by: -current)
    }

    private func shifted(_ ban: Ban, by seconds: TimeInterval) -> Ban {
        guard seconds != 0 else { return ban }
        var ban = ban
        ban.since = ban.since.addingTimeInterval(seconds)
        ban.until = ban.until.addingTimeInterval(seconds)
        return ban
    }
}
