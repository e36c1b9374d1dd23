import Yams

extension ConfigNodeDecoder {
    static let fraudKeys = [
        "enabled", "numbering", "classes_of_service", "default_class_of_service", "groups", "thresholds", "global", "after_hours",
        "on_critical", "identity_headers", "max_call_duration", "anomalies",
    ]
    static let anomalyKeys = ["enabled", "action", "history_days"]
    static let numberingKeys = [
        "country_code", "national_prefix", "international_prefix", "extension_digits", "internal_prefixes", "emergency",
        "mobile_prefixes", "high_risk_prefixes",
    ]
    static let classOfServiceKeys = ["allow", "countries"]
    static let groupKeys = ["name", "accounts", "class_of_service", "thresholds"]
    static let fraudThresholdKeys = [
        "calls_per_minute", "concurrent_calls", "calls_per_day", "international_per_hour", "short_calls", "minutes_per_day",
    ]
    static let levelKeys = ["warning", "critical"]
    static let shortCallKeys = levelKeys + ["max_seconds", "prefix_digits", "window"]
    static let afterHoursKeys = ["time_zone", "windows", "classes", "action"]
    static let timeWindowKeys = ["days", "from", "to"]
    static let criticalKeys = ["status", "suspend"]

    /// Reads the `fraud:` section.
    func fraud(_ node: Node, path: String) -> FraudConfig {
        var config = FraudConfig()
        guard let map = mapping(node, path: path, keys: Self.fraudKeys) else { return config }
        config.enabled = optional(map, "enabled", bool) ?? config.enabled
        if let (node, path) = value(map, "numbering") {
            config.numbering = numbering(node, path: path)
        }
        if let (node, path) = value(map, "classes_of_service"), case .mapping(let pairs) = node {
            for (key, value) in pairs {
                guard case .scalar(let name) = key else { continue }
                if let cos = classOfService(value, path: path + "." + name.string) { config.classesOfService[name.string] = cos }
            }
        } else if let (node, path) = value(map, "classes_of_service") {
            report("expected a mapping of class names to their rules, found \(Self.describe(node))", path: path, at: node)
        }
        config.defaultClassOfService = optional(map, "default_class_of_service", string) ?? config.defaultClassOfService
        if let (node, path) = value(map, "thresholds") {
            config.thresholds = fraudThresholds(node, path: path, base: config.thresholds)
        }
        if let (node, path) = value(map, "global") {
            config.global = fraudThresholds(node, path: path, base: config.global)
        }
        if let (node, path) = value(map, "groups"), let items = sequence(node, path: path) {
            config.groups = items.compactMap { accountGroup($0.node, path: $0.path, base: config.thresholds) }
        }
        if let (node, path) = value(map, "after_hours") {
            config.afterHours = afterHours(node, path: path)
        }
        if let (node, path) = value(map, "on_critical"), let action = mapping(node, path: path, keys: Self.criticalKeys) {
            config.onCritical.status = optional(action, "status", int) ?? config.onCritical.status
            config.onCritical.suspend = optional(action, "suspend", bool) ?? config.onCritical.suspend
        }
        config.identityHeaders = optional(map, "identity_headers", stringList) ?? config.identityHeaders
        config.maxCallDuration = optional(map, "max_call_duration", double) ?? config.maxCallDuration
        if let (node, path) = value(map, "anomalies"), let anomalies = mapping(node, path: path, keys: Self.anomalyKeys) {
            config.anomalies.enabled = optional(anomalies, "enabled", bool) ?? config.anomalies.enabled
            if let (node, path) = value(anomalies, "action") {
                config.anomalies.action = enumeration(FraudConfig.AfterHoursAction.self, node, path: path, what: "anomaly action")
                    ?? config.anomalies.action
            }
            if let (node, path) = value(anomalies, "history_days"), let days = int(node, path: path) {
                if (1...730).contains(days) { config.anomalies.historyDays = days } else { report("must be 1 to 730 days", path: path, at: node) }
            }
        }
        return config
    }

    private func numbering(_ node: Node, path: String) -> FraudConfig.Numbering {
        var numbering = FraudConfig.Numbering()
        guard let plan = mapping(node, path: path, keys: Self.numberingKeys) else { return numbering }
        numbering.countryCode = optional(plan, "country_code", string) ?? numbering.countryCode
        numbering.nationalPrefix = optional(plan, "national_prefix", string) ?? numbering.nationalPrefix
        numbering.internationalPrefix = optional(plan, "international_prefix", string) ?? numbering.internationalPrefix
        if let (node, path) = value(plan, "extension_digits"), let items = sequence(node, path: path) {
            if items.count == 2, let low = int(items[0].node, path: items[0].path), let high = int(items[1].node, path: items[1].path) {
                numbering.extensionDigits = FraudConfig.DigitRange(min: low, max: high)
            } else if items.count != 2 {
                report("expected [min, max], found a list of \(items.count)", path: path, at: node)
            }
        }
        numbering.internalPrefixes = optional(plan, "internal_prefixes", stringList) ?? numbering.internalPrefixes
        numbering.emergency = optional(plan, "emergency", stringList) ?? numbering.emergency
        numbering.mobilePrefixes = optional(plan, "mobile_prefixes", stringList) ?? numbering.mobilePrefixes
        numbering.highRiskPrefixes = optional(plan, "high_risk_prefixes", stringList) ?? numbering.highRiskPrefixes
        return numbering
    }

    private func classOfService(_ node: Node, path: String) -> FraudConfig.ClassOfService? {
        guard let map = mapping(node, path: path, keys: Self.classOfServiceKeys) else { return nil }
        guard let allow = required(map, "allow", stringList) else { return nil }
        return FraudConfig.ClassOfService(allow: allow, countries: optional(map, "countries", stringList) ?? [])
    }

    private func accountGroup(_ node: Node, path: String, base: FraudConfig.Thresholds) -> FraudConfig.AccountGroup? {
        guard let map = mapping(node, path: path, keys: Self.groupKeys) else { return nil }
        let name = required(map, "name", string)
        let accounts = required(map, "accounts", stringList)
        let cos = required(map, "class_of_service", string)
        var thresholds: FraudConfig.Thresholds?
        if let (node, path) = value(map, "thresholds") {
            thresholds = fraudThresholds(node, path: path, base: base)
        }
        guard let name, let accounts, let cos else { return nil }
        return FraudConfig.AccountGroup(name: name, accounts: accounts, classOfService: cos, thresholds: thresholds)
    }

    private func fraudThresholds(_ node: Node, path: String, base: FraudConfig.Thresholds) -> FraudConfig.Thresholds {
        var thresholds = base
        guard let map = mapping(node, path: path, keys: Self.fraudThresholdKeys) else { return thresholds }
        func read(_ key: String, _ current: FraudConfig.Level) -> FraudConfig.Level {
            guard let (node, path) = value(map, key) else {
                // Written as `key: off` or `key: ~`: no level at all.
                return map.keyPositions[key] != nil ? .off : current
            }
            return level(node, path: path, keys: Self.levelKeys, base: current).level
        }
        thresholds.callsPerMinute = read("calls_per_minute", thresholds.callsPerMinute)
        thresholds.concurrentCalls = read("concurrent_calls", thresholds.concurrentCalls)
        thresholds.callsPerDay = read("calls_per_day", thresholds.callsPerDay)
        thresholds.internationalPerHour = read("international_per_hour", thresholds.internationalPerHour)
        thresholds.minutesPerDay = read("minutes_per_day", thresholds.minutesPerDay)
        if let (node, path) = value(map, "short_calls") {
            let (level, short) = level(node, path: path, keys: Self.shortCallKeys, base: thresholds.shortCalls.level)
            thresholds.shortCalls.level = level
            if let short {
                thresholds.shortCalls.maxSeconds = optional(short, "max_seconds", double) ?? thresholds.shortCalls.maxSeconds
                thresholds.shortCalls.prefixDigits = optional(short, "prefix_digits", int) ?? thresholds.shortCalls.prefixDigits
                thresholds.shortCalls.window = optional(short, "window", double) ?? thresholds.shortCalls.window
            }
        } else if map.keyPositions["short_calls"] != nil {
            thresholds.shortCalls.level = .off
        }
        return thresholds
    }

    /// A `{warning, critical}` mapping, which replaces the whole level (a key left out is no level);
    /// `off` turns the rule off.
    private func level(_ node: Node, path: String, keys: [String], base: FraudConfig.Level) -> (level: FraudConfig.Level, map: ConfigMapping?) {
        if case .scalar(let scalar) = node, ["off", "false", "no"].contains(scalar.string.lowercased()) {
            return (.off, nil)
        }
        guard let map = mapping(node, path: path, keys: keys) else { return (base, nil) }
        let given = map.keyPositions["warning"] != nil || map.keyPositions["critical"] != nil
        guard given else { return (base, map) }
        return (FraudConfig.Level(warning: optional(map, "warning", double), critical: optional(map, "critical", double)), map)
    }

    private func afterHours(_ node: Node, path: String) -> FraudConfig.AfterHours {
        var rule = FraudConfig.AfterHours()
        guard let map = mapping(node, path: path, keys: Self.afterHoursKeys) else { return rule }
        rule.timeZone = optional(map, "time_zone", string) ?? rule.timeZone
        rule.classes = optional(map, "classes", stringList) ?? rule.classes
        if let (node, path) = value(map, "action") {
            rule.action = enumeration(FraudConfig.AfterHoursAction.self, node, path: path, what: "after-hours action") ?? rule.action
        }
        if let (node, path) = value(map, "windows"), let items = sequence(node, path: path) {
            rule.windows = items.compactMap { timeWindow($0.node, path: $0.path) }
        }
        return rule
    }

    private func timeWindow(_ node: Node, path: String) -> FraudConfig.TimeWindow? {
        guard let map = mapping(node, path: path, keys: Self.timeWindowKeys) else { return nil }
        var days: [FraudConfig.Weekday]?
        if let (node, path) = value(map, "days"), let items = sequence(node, path: path) {
            var read: [FraudConfig.Weekday] = []
            for item in items {
                guard let text = string(item.node, path: item.path) else { continue }
                read.append(contentsOf: weekdays(text, node: item.node, path: item.path))
            }
            days = read
        } else if map.keyPositions["days"] == nil {
            days = FraudConfig.Weekday.allCases
        }
        let from = required(map, "from", { self.minuteOfDay($0, path: $1) }, hint: " (a time such as \"19:00\")")
        let to = required(map, "to", { self.minuteOfDay($0, path: $1) }, hint: " (a time such as \"07:00\")")
        guard let days, let from, let to else { return nil }
        return FraudConfig.TimeWindow(days: days, from: from, to: to)
    }

    /// `mon`, or a range `mon-fri` (which may wrap: `fri-mon`).
    private func weekdays(_ text: String, node: Node, path: String) -> [FraudConfig.Weekday] {
        let all = FraudConfig.Weekday.allCases
        let parts = text.lowercased().split(separator: "-", omittingEmptySubsequences: false).map { String($0.prefix(3)) }
        let names = all.map(\.rawValue)
        guard (1...2).contains(parts.count), let first = names.firstIndex(of: parts[0]), let last = names.firstIndex(of: parts[parts.count - 1])
        else {
            report("expected a day (mon…sun) or a range such as mon-fri, found \(ConfigSyntax.quoted(text))", path: path, at: node)
            return []
        }
        var result: [FraudConfig.Weekday] = []
        var index = first
        while true {
            result.append(all[index])
            if index == last { break }
            index = (index + 1) % all.count
        }
        return result
    }

    /// `HH:MM` (`24:00` allowed as the end of a day) as minutes after midnight.
    private func minuteOfDay(_ node: Node, path: String) -> Int? {
        guard let text = string(node, path: path) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
            hours >= 0, minutes >= 0, minutes < 60, hours < 24 || (hours == 24 && minutes == 0)
        {
            return hours * 60 + minutes
        }
        report("expected a time of day HH:MM (00:00-24:00), found \(ConfigSyntax.quoted(text))", path: path, at: node)
        return nil
    }
}
