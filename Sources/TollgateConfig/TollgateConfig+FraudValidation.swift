extension TollgateConfig {
    /// The rules of the `fraud:` section: digit-only prefixes and codes, a sane extension length.
    func validateFraud(_ report: inout ValidationReport) {
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
}
