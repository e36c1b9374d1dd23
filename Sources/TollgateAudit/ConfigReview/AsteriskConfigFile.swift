/// An Asterisk configuration file as Asterisk reads it: `[section]` (with `(template)` or `(!)`
/// after it), `key = value` or `key => value` lines, `;` comments (`\;` is a literal semicolon).
/// Every line keeps its number, so a finding can point at it.
public struct AsteriskConfigFile: Sendable {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: String
        public var line: Int
    }

    public struct Section: Sendable, Hashable {
        public var name: String
        /// What follows the name in parentheses: `!` marks a template; other words name templates used.
        public var options: [String]
        public var line: Int
        public var entries: [Entry]

        public var isTemplate: Bool { options.contains("!") }

        /// The last value of `key` (later lines win, as in Asterisk), lower-cased key match.
        public func value(_ key: String) -> Entry? {
            entries.last { $0.key == key.lowercased() }
        }

        /// Every value of `key`, in order (`permit`, `exten`, `include`).
        public func values(_ key: String) -> [Entry] {
            entries.filter { $0.key == key.lowercased() }
        }
    }

    public var sections: [Section]

    public init(text: String) {
        var sections: [Section] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            let content = Self.stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            guard !content.isEmpty, !content.hasPrefix("#") else { continue }
            if content.hasPrefix("[") {
                guard let close = content.firstIndex(of: "]") else { continue }
                let name = String(content[content.index(after: content.startIndex)..<close]).trimmingCharacters(in: .whitespaces)
                var options: [String] = []
                let rest = content[content.index(after: close)...].trimmingCharacters(in: .whitespaces)
                if rest.hasPrefix("("), let end = rest.firstIndex(of: ")") {
                    options = rest[rest.index(after: rest.startIndex)..<end].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
                sections.append(Section(name: name, options: options, line: line, entries: []))
                continue
            }
            let separator = content.range(of: "=>") ?? content.range(of: "=")
            guard let separator, !sections.isEmpty else { continue }
            let key = content[..<separator.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
            let value = content[separator.upperBound...].trimmingCharacters(in: .whitespaces)
            sections[sections.count - 1].entries.append(Entry(key: key, value: value, line: line))
        }
        self.sections = sections
    }

    /// The section called `name` (the first).
    public func section(_ name: String) -> Section? {
        sections.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The text before an unescaped `;`.
    static func stripComment(_ line: String) -> String {
        var out = ""
        var escaped = false
        for character in line {
            if escaped {
                out.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ";" {
                break
            } else {
                out.append(character)
            }
        }
        return out
    }
}
