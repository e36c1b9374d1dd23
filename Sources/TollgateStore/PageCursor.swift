import Foundation

/// Where a page of newest-first rows ended: the time and row id of its last row. The next page is
/// the rows strictly before it, so pages never skip or repeat rows, however many are added meanwhile.
public struct PageCursor: Sendable, Hashable, CustomStringConvertible {
    public var time: Date
    public var id: Int64

    public init(time: Date, id: Int64) {
        self.time = time
        self.id = id
    }

    /// `1790000000.123456-42`: opaque to API clients, who pass it back as `cursor`.
    public var description: String { String(format: "%.6f", time.timeIntervalSince1970) + "-\(id)" }

    /// Reads ``description``; `nil` for anything else.
    public init?(_ text: String) {
        guard text.count <= 40, let dash = text.lastIndex(of: "-"), let seconds = Double(text[..<dash]), seconds.isFinite,
              let id = Int64(text[text.index(after: dash)...]) else { return nil }
        self.init(time: Date(timeIntervalSince1970: seconds), id: id)
    }
}
