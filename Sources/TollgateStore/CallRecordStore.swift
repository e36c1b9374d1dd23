import Foundation
import TollgateModel

/// Where call detail records are kept.
///
/// Besides the async interface, a backend offers the CDR writer its fast path: the writer runs on a
/// thread of its own and stores through ``appendCDRsBlocking(_:)``, and a backend that has a local
/// disk names, in ``callRecordJournalBase``, where the writer may keep the journal that makes a
/// call's record durable before the store has it.
public protocol CallRecordStore: Sendable {
    /// Stores call detail records in one transaction, in order; each gets a new ``CallDetailRecord/id``
    /// (an `id` already set is ignored). Once this returns, the records survive a crash of the process.
    func appendCDRs(_ records: [CallDetailRecord]) async throws(StoreError)
    /// Lists the records matching `query`, at most `query.limit`, in `query.order` (newest first by default).
    func cdrs(_ query: CDRQuery) async throws(StoreError) -> [CallDetailRecord]
    /// A page of the records matching `query` (its `limit` and `order` are ignored) whose id is greater
    /// than `id`, in the order they were stored (ascending id), at most `limit`.
    ///
    /// For reading any number of records a page at a time: start with `after: 0`, then pass the last
    /// record's id, until a page comes back shorter than `limit`.
    func cdrs(after id: Int64, matching query: CDRQuery, limit: Int) async throws(StoreError) -> [CallDetailRecord]
    /// How many records match `query` (its `limit` is ignored).
    func cdrCount(_ query: CDRQuery) async throws(StoreError) -> Int

    /// Stores records like ``appendCDRs(_:)``, blocking the calling thread (never an event loop's)
    /// until they are durable. The default waits for ``appendCDRs(_:)``.
    func appendCDRsBlocking(_ records: [CallDetailRecord]) throws(StoreError)
    /// The path prefix of a CDR journal beside the store (`tollgate.db-cdr-journal` makes
    /// `tollgate.db-cdr-journal.1`, …), or `nil` when the store has no local file to keep one beside.
    var callRecordJournalBase: String? { get }
    /// Upkeep the CDR writer's thread runs between its writes, at most once a second when it is idle
    /// and at least every three seconds however busy (SQLite: a WAL checkpoint); the default does nothing.
    func betweenWrites()
}

extension CallRecordStore {
    public func appendCDRsBlocking(_ records: [CallDetailRecord]) throws(StoreError) {
        let box = BlockingResult()
        Task { [self] in
            do throws(StoreError) {
                try await appendCDRs(records)
                box.set(.success(()))
            } catch {
                box.set(.failure(error))
            }
        }
        try box.wait().get()
    }

    public var callRecordJournalBase: String? { nil }

    public func betweenWrites() {}
}

/// The outcome of an async operation, handed to a thread that waits for it.
private final class BlockingResult: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Result<Void, StoreError>?

    func set(_ result: Result<Void, StoreError>) {
        condition.lock()
        value = result
        condition.signal()
        condition.unlock()
    }

    func wait() -> Result<Void, StoreError> {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value ?? .failure(.databaseError("no result"))
    }
}
