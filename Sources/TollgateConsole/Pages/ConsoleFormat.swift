import Foundation
import TollgateModel
import TollgateStore

/// How the console writes values for people: times in UTC as `2026-12-03 01:56:45`, durations as
/// `1 h 5 min`, and the paging links.
enum ConsoleFormat {
    static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        if total < 86_400 { return "\(total / 3600) h \(total % 3600 / 60) min" }
        return "\(total / 86_400) d \(total % 86_400 / 3600) h"
    }

    /// `?a=1&b=2` from the non-empty values, percent-encoded.
    static func query(_ items: [(String, String?)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        let parts = items.compactMap { key, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return key + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

/// One page of a newest-first list, as the API returns it: the items and the cursor of the next
/// page (`null` on the last).
struct Listing<Item: Encodable>: Encodable {
    var items: [Item]
    var next: String?
}

/// How many rows a page or API call returns: `limit` (1–500), 50 when not given.
enum PageSize {
    static let standard = 50
    static let maximum = 500

    static func read(_ text: String?) throws(ConsoleError) -> Int {
        guard let text, !text.isEmpty else { return standard }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw ConsoleError(.badRequest, "limit must be 1-\(maximum)", field: "limit")
        }
        return value
    }

    static func cursor(_ text: String?) throws(ConsoleError) -> PageCursor? {
        guard let text, !text.isEmpty else { return nil }
        guard let cursor = PageCursor(text) else { throw ConsoleError(.badRequest, "cursor is not one this console gave", field: "cursor") }
        return cursor
    }

    /// A point in time from a filter: `24h`, `7d`, or ISO 8601 (`2026-12-03T01:00:00Z`, `2026-12-03`).
    static func time(_ text: String?, field: String, now: Date) throws(ConsoleError) -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        do {
            return try PointInTimeText(parsing: text, now: now).date
        } catch {
            throw ConsoleError(.badRequest, "\(field): \(error)", field: field)
        }
    }
}
