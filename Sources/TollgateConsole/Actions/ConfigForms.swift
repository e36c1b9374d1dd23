import Foundation
import TollgateConfig
import Yams

/// The configuration sections the console edits as forms, turned into the YAML the editor splices
/// into the file: the routing table a row per route, and Shield's allow and deny lists an address
/// range per line. Whatever the form makes goes through the same checks as YAML typed by hand.
public enum ConfigForms {
    /// The most rows the routes form has.
    public static let maximumRows = 200

    /// One row of the routes form.
    public struct RouteRow: Sendable, Hashable {
        public var name: String
        public var prefix: String
        /// Trunk names, comma- or space-separated.
        public var trunks: String
        public var strip: String
        public var prepend: String

        public init(name: String = "", prefix: String = "", trunks: String = "", strip: String = "", prepend: String = "") {
            self.name = name
            self.prefix = prefix
            self.trunks = trunks
            self.strip = strip
            self.prepend = prepend
        }

        var isEmpty: Bool { [name, prefix, trunks, strip, prepend].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
    }

    /// The rows of the routing table as the form shows them.
    public static func rows(_ routes: [RouteRule]) -> [RouteRow] {
        routes.map { RouteRow(name: $0.name ?? "", prefix: $0.prefix, trunks: $0.trunks.joined(separator: ", "),
                              strip: $0.stripDigits == 0 ? "" : String($0.stripDigits), prepend: $0.prependDigits) }
    }

    /// The `routes:` section for the rows (empty rows left out), in their order: the first match wins.
    public static func routesBlock(_ rows: [RouteRow]) -> String {
        var lines = ["routes:"]
        let kept = rows.filter { !$0.isEmpty }
        if kept.isEmpty { return "routes: []" }
        for row in kept {
            var fields: [String] = []
            let name = row.name.trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { fields.append("name: \(ConfigFileEditor.quoted(name))") }
            fields.append("prefix: \(ConfigFileEditor.quoted(row.prefix.trimmingCharacters(in: .whitespaces)))")
            let trunks = row.trunks.split(whereSeparator: { $0 == "," || $0 == " " }).map { ConfigFileEditor.quoted(String($0)) }
            fields.append("trunks: [\(trunks.joined(separator: ", "))]")
            let strip = row.strip.trimmingCharacters(in: .whitespaces)
            // A number as typed, or the text quoted: the validator says what is wrong with it.
            if !strip.isEmpty { fields.append("strip_digits: \(Int(strip).map(String.init) ?? ConfigFileEditor.quoted(strip))") }
            let prepend = row.prepend.trimmingCharacters(in: .whitespaces)
            if !prepend.isEmpty { fields.append("prepend_digits: \(ConfigFileEditor.quoted(prepend))") }
            lines.append("  - { \(fields.joined(separator: ", ")) }")
        }
        return lines.joined(separator: "\n")
    }

    /// The lines of a list field: one entry per line (or comma-separated), blanks dropped.
    public static func entries(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The `shield:` section with its `allow` and `deny` lists replaced and every other setting kept.
    public static func shieldBlock(current section: String, allow: [String], deny: [String]) throws(ConfigFileEditor.Refusal) -> String {
        var shield: [String: Any] = [:]
        if !section.isEmpty {
            guard let loaded = try? Yams.load(yaml: section) as? [String: Any] else { throw .notASection("shield") }
            shield = loaded["shield"] as? [String: Any] ?? [:]
        }
        shield["allow"] = allow
        shield["deny"] = deny
        guard let text = try? Yams.dump(object: ["shield": shield], sortKeys: true) else { throw .notASection("shield") }
        return text.trimmingCharacters(in: .newlines)
    }
}
