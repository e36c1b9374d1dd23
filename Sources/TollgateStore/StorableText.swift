import Foundation

extension String {
    /// The text with each NUL replaced by U+2400 (␀), as every backend stores text: SQLite keeps a
    /// NUL but reads the text back only up to it, PostgreSQL refuses it, and an attacker's bytes
    /// after it must not vanish from the record silently.
    public var storableText: String {
        guard utf8.contains(0) else { return self }
        return replacingOccurrences(of: "\u{0}", with: "\u{2400}")
    }
}
