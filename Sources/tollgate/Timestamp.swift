import Foundation

/// How the command line writes a moment: ISO-8601 in UTC, to the second (`2025-06-15T10:00:00Z`).
enum Timestamp {
    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
