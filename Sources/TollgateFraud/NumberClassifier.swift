import TollgateConfig

/// Classifies dialled numbers with a numbering plan and a list of high-risk prefixes.
///
/// Emergency numbers come first and are never high-risk; a number written with `+` is always
/// read as international form. Premium and high-risk prefixes are matched on the E.164 number,
/// so a number reached through the international prefix and one dialled nationally are treated alike.
public struct NumberClassifier: Sendable, Hashable {
    public var plan: NumberingPlan
    public var prefixes: HighRiskPrefixes

    public init(plan: NumberingPlan, prefixes: HighRiskPrefixes) {
        self.plan = plan
        self.prefixes = prefixes
    }

    /// A classifier for a validated `fraud.numbering` section: its plan, and `prefixes` (usually
    /// ``HighRiskPrefixes/shipped()``) extended by its `high_risk_prefixes` as high-risk entries.
    public init(config: FraudConfig.Numbering, prefixes: HighRiskPrefixes) {
        var all = prefixes
        let extra = config.highRiskPrefixes.enumerated().map { index, text in
            HighRiskPrefixes.Entry(
                prefix: text.hasPrefix("+") ? String(text.dropFirst()) : text, category: .highRisk,
                source: "configuration", origin: "fraud.numbering.high_risk_prefixes[\(index)]"
            )
        }
        all.append(contentsOf: HighRiskPrefixes(entries: extra))
        self.init(plan: NumberingPlan(config), prefixes: all)
    }

    /// Classifies a dialled string (digits with separators, `+…`, or a `tel:`/`sip:` URI's text).
    public func classify(_ dialled: String) throws(DialledNumberError) -> Classification {
        switch try plan.read(DialledDigits(dialled)) {
        case .emergency:
            return Classification(numberClass: .emergency)
        case .internal:
            return Classification(numberClass: .internal)
        case .e164(let digits):
            let countryCode = CountryCallingCode.of(digits)
            var result = Classification(numberClass: .international, e164: "+" + digits, countryCode: countryCode)
            if let entry = prefixes.longestMatch(digits) {
                result.numberClass = entry.category == .premium ? .premium : .highRisk
                result.matchedPrefix = "+" + entry.prefix
            } else if digits.hasPrefix(plan.countryCode) {
                result.numberClass = plan.isMobile(digits) ? .mobile : .national
                result.countryCode = plan.countryCode
            }
            return result
        }
    }
}
