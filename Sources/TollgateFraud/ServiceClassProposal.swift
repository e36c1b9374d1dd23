import Foundation

/// The `classes_of_service` and `groups` that would allow the calls a file shows, for an operator
/// who has written none to review: accounts that stayed national get the default; accounts that
/// called abroad get a class allowing the countries they called; accounts that called premium or
/// high-risk numbers get a class allowing that too, marked for review. Accounts with the same needs
/// share one class.
public struct ServiceClassProposal: Sendable, Hashable {
    /// A proposed class of service and the accounts it is for.
    public struct ProposedClass: Sendable, Hashable {
        public var name: String
        public var allow: [String]
        public var countries: [String]
        public var accounts: [String]
        /// Premium or high-risk calls were seen: allowing them is a decision, not a formality.
        public var needsReview: Bool
    }

    public var classes: [ProposedClass]
    /// Accounts whose calls the default (`national`) already allows.
    public var nationalAccounts: Int

    public init(patterns: [AccountCallPattern]) {
        let orderedClasses = ["internal", "national", "mobile", "international", "premium", "high-risk", "satellite"]
        var byNeeds: [String: ProposedClass] = [:]
        var national = 0
        for pattern in patterns.sorted(by: { $0.account < $1.account }) {
            guard pattern.callsBeyondNational else {
                national += 1
                continue
            }
            var allow = Set(["internal", "national", "mobile"])
            for name in pattern.classes.keys where name != "emergency" && name != CDRAnalysis.unreadableClass { allow.insert(name) }
            let allowList = orderedClasses.filter(allow.contains) + allow.subtracting(orderedClasses).sorted()
            let countries = pattern.countries.keys.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
            let key = allowList.joined(separator: ",") + "|" + countries.joined(separator: ",")
            if byNeeds[key] == nil {
                let review = allow.contains("premium") || allow.contains("high-risk") || allow.contains("satellite")
                byNeeds[key] = ProposedClass(name: "", allow: allowList, countries: countries, accounts: [], needsReview: review)
            }
            byNeeds[key]?.accounts.append(pattern.account)
        }
        var classes = byNeeds.values.sorted { ($0.needsReview ? 1 : 0, -$0.accounts.count, $0.allow.count) < ($1.needsReview ? 1 : 0, -$1.accounts.count, $1.allow.count) }
        for index in classes.indices {
            classes[index].name = (classes[index].needsReview ? "review-" : "abroad-") + String(index + 1)
        }
        self.classes = classes
        self.nationalAccounts = national
    }

    /// The proposal as the `fraud:` section of `tollgate.yaml`.
    public var yaml: String {
        var lines = ["fraud:", "  default_class_of_service: national   # \(nationalAccounts) account\(nationalAccounts == 1 ? "" : "s") stayed national"]
        guard !classes.isEmpty else { return lines.joined(separator: "\n") + "\n" }
        lines.append("  classes_of_service:")
        for proposed in classes {
            if proposed.needsReview { lines.append("    # review: premium or high-risk numbers were called by these accounts") }
            lines.append("    \(proposed.name):")
            lines.append("      allow: [\(proposed.allow.joined(separator: ", "))]")
            if !proposed.countries.isEmpty {
                lines.append("      countries: [\(proposed.countries.map { "\"\($0)\"" }.joined(separator: ", "))]")
            }
        }
        lines.append("  groups:")
        for proposed in classes {
            lines.append("    - name: \(proposed.name)")
            lines.append("      accounts: [\(proposed.accounts.map { "\"\(Self.yamlEscaped($0))\"" }.joined(separator: ", "))]")
            lines.append("      class_of_service: \(proposed.name)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text safe inside a double-quoted YAML scalar.
    static func yamlEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
