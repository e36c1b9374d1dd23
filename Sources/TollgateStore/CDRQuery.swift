import Foundation

/// Which call detail records to list or count.
///
/// Filters combine: every one given must hold. Times compare with a record's `start`.
public struct CDRQuery: Sendable, Hashable {
    /// The order ``Store/cdrs(_:)`` lists records in.
    public enum Order: Sendable, Hashable {
        /// Latest start first (ties: the later stored first).
        case newestFirst
        /// Earliest start first (ties: the earlier stored first).
        case oldestFirst
    }

    /// Only calls that started at or after this time.
    public var since: Date?
    /// Only calls that started before this time.
    public var until: Date?
    /// Only calls counted against this account.
    public var account: String?
    /// Only calls with this Call-ID.
    public var callID: String?
    /// At most this many (``Store/cdrs(_:)`` only; ``Store/cdrCount(_:)`` ignores it).
    public var limit: Int
    /// The order of ``Store/cdrs(_:)``.
    public var order: Order
    /// Only calls from or to this number (the caller's user part or the number dialled).
    public var number: String?
    /// Only calls before this row (the previous page's last), newest first.
    public var before: PageCursor?

    public init(
        since: Date? = nil, until: Date? = nil, account: String? = nil, callID: String? = nil, limit: Int = 1000,
        order: Order = .newestFirst, number: String? = nil, before: PageCursor? = nil
    ) {
        self.since = since
        self.until = until
        self.account = account
        self.callID = callID
        self.limit = limit
        self.order = order
        self.number = number
        self.before = before
    }
}
