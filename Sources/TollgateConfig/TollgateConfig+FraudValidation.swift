import Foundation

extension TollgateConfig {
    /// The destination class names a class of service or an after-hours rule may list.
    public static let destinationClassNames = ["internal", "emergency", "national", "mobile", "international", "premium", "high-risk"]

    /// The rules of the `fraud:` section.
    func validateFraud(_ report: inout ValidationReport) {
        validateNumbering(&report)
        validateClassesOfService(&report)
        validateFraudThresholds(fraud.thresholds, at: "fraud.thresholds", &report)
        validateFraudThresholds(fraud.global, at: "fraud.global", &report)
        validateAfterHours(&report)
        if !(400...699).contains(fraud.onCritical.status) {
            report.add("fraud.on_critical.status", "must be a final failure status 400-699, found \(fraud.onCritical.status)")
        }
        for (index, header) in fraud.identityHeaders.enumerated() where !ConfigSyntax.isToken(header) {
            report.add("fraud.identity_headers[\(index)]", "must be a header name, found \(ConfigSyntax.quoted(header))")
        }
        if !(fraud.maxCallDuration > 0) {
            report.add("fraud.max_call_duration", "must be more than 0 seconds, found \(fraud.maxCallDuration)")
        }
    }

    /// Digit-only prefixes and codes, a sane extension length.
    private func validateNumbering(_ report: inout ValidationReport) {
        let plan = fraud.numbering
        let base = "fraud.numbering"
        func isDigits(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy(ConfigSyntax.isDigit) }

        if !isDigits(plan.countryCode) || plan.countryCode.count > 3 || plan.countryCode.hasPrefix("0") {
            report.add(base + ".country_code", "must be 1-3 digits not starting with 0, found \(ConfigSyntax.quoted(plan.countryCode))")
        }
        if !(plan.nationalPrefix.isEmpty || isDigits(plan.nationalPrefix)) || plan.nationalPrefix.count > 3 {
            report.add(base + ".national_prefix", "must be empty or up to 3 digits, found \(ConfigSyntax.quoted(plan.nationalPrefix))")
        }
        if !isDigits(plan.internationalPrefix) || plan.internationalPrefix.count > 4 {
            report.add(base + ".international_prefix", "must be 1-4 digits, found \(ConfigSyntax.quoted(plan.internationalPrefix))")
        } else if plan.internationalPrefix == plan.nationalPrefix {
            report.add(base + ".international_prefix", "must differ from the national prefix \(ConfigSyntax.quoted(plan.nationalPrefix))")
        }
        let digits = plan.extensionDigits
        if digits.min < 1 || digits.max > 15 || digits.min > digits.max {
            report.add(base + ".extension_digits", "must be [min, max] with 1 <= min <= max <= 15, found [\(digits.min), \(digits.max)]")
        }
        let lists: [(String, [String])] = [
            ("internal_prefixes", plan.internalPrefixes), ("emergency", plan.emergency), ("mobile_prefixes", plan.mobilePrefixes),
        ]
        for (key, values) in lists {
            for (index, value) in values.enumerated() where !isDigits(value) {
                report.add("\(base).\(key)[\(index)]", "must be digits only and not empty, found \(ConfigSyntax.quoted(value))")
            }
        }
        for (index, value) in plan.highRiskPrefixes.enumerated() {
            let digitsPart = value.hasPrefix("+") ? String(value.dropFirst()) : value
            if !isDigits(digitsPart) || digitsPart.count > 15 || digitsPart.hasPrefix("0") {
                report.add(
                    "\(base).high_risk_prefixes[\(index)]",
                    "must be an E.164 prefix (digits, optionally after +, not starting with 0), found \(ConfigSyntax.quoted(value))"
                )
            }
        }
    }

    private func validateClassesOfService(_ report: inout ValidationReport) {
        let known = Set(FraudConfig.ClassOfService.builtIn.keys).union(fraud.classesOfService.keys)
        for name in fraud.classesOfService.keys.sorted() {
            let cos = fraud.classesOfService[name]!
            let base = "fraud.classes_of_service.\(name)"
            for (index, value) in cos.allow.enumerated() where !Self.destinationClassNames.contains(value) {
                report.add(
                    "\(base).allow[\(index)]",
                    "unknown destination class \(ConfigSyntax.quoted(value))\(Suggestion.hint(for: value, in: Self.destinationClassNames)); expected \(ConfigSyntax.alternatives(Self.destinationClassNames))"
                )
            }
            for (index, code) in cos.countries.enumerated() {
                let digits = code.hasPrefix("+") ? String(code.dropFirst()) : code
                if digits.isEmpty || digits.count > 3 || !digits.utf8.allSatisfy(ConfigSyntax.isDigit) || digits.hasPrefix("0") {
                    report.add("\(base).countries[\(index)]", "must be a country calling code (1-3 digits), found \(ConfigSyntax.quoted(code))")
                }
            }
        }
        func checkReference(_ name: String, at path: String) {
            guard !known.contains(name) else { return }
            let names = known.sorted()
            report.add(path, "unknown class of service \(ConfigSyntax.quoted(name))\(Suggestion.hint(for: name, in: names)); expected \(ConfigSyntax.alternatives(names))")
        }
        checkReference(fraud.defaultClassOfService, at: "fraud.default_class_of_service")
        var seen: Set<String> = []
        for (index, group) in fraud.groups.enumerated() {
            let base = "fraud.groups[\(index)]"
            if group.name.isEmpty {
                report.add(base + ".name", "must not be empty")
            } else if !seen.insert(group.name).inserted {
                report.add(base + ".name", "\(ConfigSyntax.quoted(group.name)) names another group already")
            }
            checkReference(group.classOfService, at: base + ".class_of_service")
            if group.accounts.isEmpty { report.add(base + ".accounts", "must list at least one account") }
            for (position, pattern) in group.accounts.enumerated() {
                if let problem = FraudConfig.AccountGroup.problem(with: pattern) {
                    report.add("\(base).accounts[\(position)]", problem)
                }
            }
            if let thresholds = group.thresholds { validateFraudThresholds(thresholds, at: base + ".thresholds", &report) }
        }
    }

    private func validateFraudThresholds(_ thresholds: FraudConfig.Thresholds, at base: String, _ report: inout ValidationReport) {
        let levels: [(String, FraudConfig.Level)] = [
            ("calls_per_minute", thresholds.callsPerMinute), ("concurrent_calls", thresholds.concurrentCalls),
            ("calls_per_day", thresholds.callsPerDay), ("international_per_hour", thresholds.internationalPerHour),
            ("minutes_per_day", thresholds.minutesPerDay), ("short_calls", thresholds.shortCalls.level),
        ]
        for (key, level) in levels {
            for (name, value) in [("warning", level.warning), ("critical", level.critical)] {
                if let value, !(value >= 0) { report.add("\(base).\(key).\(name)", "must be 0 or more, found \(value)") }
            }
            if let warning = level.warning, let critical = level.critical, warning > critical {
                report.add("\(base).\(key).warning", "must not be above the critical level (\(warning) > \(critical))")
            }
        }
        let short = thresholds.shortCalls
        if !(short.maxSeconds > 0) { report.add(base + ".short_calls.max_seconds", "must be more than 0, found \(short.maxSeconds)") }
        if !(1...15).contains(short.prefixDigits) {
            report.add(base + ".short_calls.prefix_digits", "must be 1-15, found \(short.prefixDigits)")
        }
        if !(short.window > 0) { report.add(base + ".short_calls.window", "must be more than 0 seconds, found \(short.window)") }
    }

    private func validateAfterHours(_ report: inout ValidationReport) {
        let rule = fraud.afterHours
        if TimeZone(identifier: rule.timeZone) == nil {
            report.add("fraud.after_hours.time_zone", "unknown time zone \(ConfigSyntax.quoted(rule.timeZone)); expected an IANA name such as Europe/London or UTC")
        }
        for (index, value) in rule.classes.enumerated() where !Self.destinationClassNames.contains(value) {
            report.add(
                "fraud.after_hours.classes[\(index)]",
                "unknown destination class \(ConfigSyntax.quoted(value))\(Suggestion.hint(for: value, in: Self.destinationClassNames))"
            )
        }
        for (index, window) in rule.windows.enumerated() {
            let base = "fraud.after_hours.windows[\(index)]"
            if window.days.isEmpty { report.add(base + ".days", "must name at least one day") }
            if window.from == window.to { report.add(base + ".to", "must differ from 'from' (use 00:00 to 24:00 for a whole day)") }
            if !(0...1440).contains(window.from) || !(0...1440).contains(window.to) {
                report.add(base, "times must lie within 00:00-24:00")
            }
        }
    }
}
