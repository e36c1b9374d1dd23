import TollgateConfig

/// A class of service compiled for the call path: the destination classes allowed, and the
/// countries international calls may reach.
struct ServiceClass: Sendable, Hashable {
    let name: String
    let allowed: Set<NumberClass>
    let countries: Set<String>

    init(name: String, _ config: FraudConfig.ClassOfService) throws(FraudConfigError) {
        self.name = name
        var allowed: Set<NumberClass> = [.emergency]
        for text in config.allow {
            guard let numberClass = NumberClass(rawValue: text) else { throw .unknownDestinationClass(text) }
            allowed.insert(numberClass)
        }
        self.allowed = allowed
        self.countries = Set(config.countries.map { $0.hasPrefix("+") ? String($0.dropFirst()) : $0 })
    }

    /// Whether a call to `destination` is allowed; `home` is the plan's own country code.
    func allows(_ destination: Classification, home: String) -> Bool {
        guard allowed.contains(destination.numberClass) else { return false }
        switch destination.numberClass {
        case .international, .premium, .highRisk:
            guard !countries.isEmpty, let code = destination.countryCode, code != home else { return true }
            return countries.contains(code)
        default:
            return true
        }
    }
}

/// What the engine knows about one account's rules: its group, class of service and thresholds.
struct AccountProfile: Sendable {
    let group: String?
    let serviceClass: ServiceClass
    let thresholds: FraudConfig.Thresholds
}
