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

    // MARK: - Fraud control

    /// One class of service as the form shows it: which destination classes and countries it allows.
    public struct ServiceClassRow: Sendable, Hashable {
        public var name: String
        /// Destination classes, comma-separated (`internal, national, mobile`).
        public var allow: String
        /// Country codes, comma-separated (`33, 49`).
        public var countries: String

        public init(name: String = "", allow: String = "", countries: String = "") {
            self.name = name
            self.allow = allow
            self.countries = countries
        }
    }

    /// The account thresholds the form edits, in the file's names, with a label for people.
    public static let thresholdRules: [(key: String, label: String)] = [
        ("calls_per_minute", "calls in 60 s"), ("concurrent_calls", "calls at once"), ("calls_per_day", "calls a day"),
        ("international_per_hour", "international, premium and high-risk calls an hour"), ("short_calls", "short calls in a row to one prefix"),
        ("minutes_per_day", "minutes a day"),
    ]

    /// The levels in force for each rule, as text (empty when not set).
    public static func thresholdLevels(_ thresholds: FraudConfig.Thresholds) -> [String: (warning: String, critical: String)] {
        func text(_ value: Double?) -> String { value.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "" }
        let levels: [(String, FraudConfig.Level)] = [
            ("calls_per_minute", thresholds.callsPerMinute), ("concurrent_calls", thresholds.concurrentCalls), ("calls_per_day", thresholds.callsPerDay),
            ("international_per_hour", thresholds.internationalPerHour), ("short_calls", thresholds.shortCalls.level),
            ("minutes_per_day", thresholds.minutesPerDay),
        ]
        return Dictionary(uniqueKeysWithValues: levels.map { ($0.0, (text($0.1.warning), text($0.1.critical))) })
    }

    /// The rows of the classes of service, by name.
    public static func serviceClassRows(_ classes: [String: FraudConfig.ClassOfService]) -> [ServiceClassRow] {
        classes.sorted { $0.key < $1.key }.map { ServiceClassRow(name: $0.key, allow: $0.value.allow.joined(separator: ", "),
                                                                 countries: $0.value.countries.joined(separator: ", ")) }
    }

    /// The `fraud:` section with the default class of service, the classes of service and the
    /// account thresholds' warning and critical levels from the form; every other setting (numbering,
    /// groups, after-hours, the short-call window, anomalies) kept as it was.
    public static func fraudBlock(current section: String, defaultClass: String, classes: [ServiceClassRow],
                                  levels: [String: (warning: String, critical: String)]) throws(ConfigFileEditor.Refusal) -> String {
        var fraud: [String: Any] = [:]
        if !section.isEmpty {
            guard let loaded = try? Yams.load(yaml: section) as? [String: Any] else { throw .notASection("fraud") }
            fraud = loaded["fraud"] as? [String: Any] ?? [:]
        }
        let chosen = defaultClass.trimmingCharacters(in: .whitespaces)
        if chosen.isEmpty { fraud["default_class_of_service"] = nil } else { fraud["default_class_of_service"] = chosen }
        var table: [String: Any] = [:]
        for row in classes {
            let name = row.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            var entry: [String: Any] = ["allow": entries(row.allow)]
            let countries = entries(row.countries)
            if !countries.isEmpty { entry["countries"] = countries }
            table[name] = entry
        }
        fraud["classes_of_service"] = table.isEmpty ? nil : table
        var thresholds = fraud["thresholds"] as? [String: Any] ?? [:]
        for (rule, level) in levels {
            var entry = thresholds[rule] as? [String: Any] ?? [:]
            for (key, text) in [("warning", level.warning), ("critical", level.critical)] {
                let value = text.trimmingCharacters(in: .whitespaces)
                // A number as typed, or the text itself: the validator says what is wrong with it.
                entry[key] = value.isEmpty ? nil : (Int(value).map { $0 as Any } ?? Double(value).map { $0 as Any } ?? value)
            }
            thresholds[rule] = entry.isEmpty ? nil : entry
        }
        fraud["thresholds"] = thresholds.isEmpty ? nil : thresholds
        guard let text = try? Yams.dump(object: ["fraud": fraud], sortKeys: true) else { throw .notASection("fraud") }
        return text.trimmingCharacters(in: .newlines)
    }
}
