import Foundation

/// Which events to list.
public struct EventQuery: Sendable, Hashable {
    /// Only events at or after this time.
    public var since: Date?
    /// Only events of this kind.
    public var kind: String?
    /// Only events of one of these kinds (with ``kind``, both apply).
    public var kinds: [String]?
    /// Only events about this source address.
    public var source: String?
    /// Only events older than this row (the previous page's last).
    public var before: PageCursor?
    /// Only the event with this row id.
    public var id: Int64?
    /// Only events whose detail contains this text (exactly, case and all), or whose source or rule is it.
    public var text: String?
    /// At most this many, newest first.
    public var limit: Int

    public init(since: Date? = nil, kind: String? = nil, kinds: [String]? = nil, source: String? = nil, before: PageCursor? = nil,
                limit: Int = 1000) {
        self.since = since
        self.kind = kind
        self.kinds = kinds
        self.source = source
        self.before = before
        self.limit = limit
        self.id = nil
        self.text = nil
    }
}
