import Foundation
import TollgateModel

/// Where security events are kept: what `tollgate events` and the console list.
public protocol EventStore: Sendable {
    /// Stores events in one transaction, in order.
    func append(_ events: [SecurityEvent]) async throws(StoreError)
    /// Lists events matching `query`, newest first.
    func events(_ query: EventQuery) async throws(StoreError) -> [SecurityEvent]
    /// How many events match `query` (its limit is ignored).
    func eventCount(_ query: EventQuery) async throws(StoreError) -> Int
    /// Deletes events older than `date`; returns how many went.
    func pruneEvents(olderThan date: Date) async throws(StoreError) -> Int
}
