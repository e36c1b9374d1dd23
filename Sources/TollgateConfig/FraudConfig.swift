/// Fraud control: how dialled numbers are read and classified (and, later, the limits applied
/// to each class).
///
/// Every field has a safe default (a UK-style numbering plan); an operator tunes it under
/// `fraud:` in `tollgate.yaml`.
public struct FraudConfig: Sendable, Hashable, Codable {
    /// The numbering plan dialled numbers are read with.
    public var numbering = Numbering()

    public init(numbering: Numbering = Numbering()) {
        self.numbering = numbering
    }

    /// The local numbering plan: prefixes, extensions, emergency numbers and mobile ranges.
    public struct Numbering: Sendable, Hashable, Codable {
        /// The country calling code of the PBX's own country, digits only (`44`, `1`).
        public var countryCode: String = "44"
        /// The trunk prefix dialled before a national number (`0`; `1` in the NANP; may be empty).
        public var nationalPrefix: String = "0"
        /// The prefix dialled before an international number (`00`; `011` in the NANP).
        public var internationalPrefix: String = "00"
        /// How many digits an internal extension has.
        public var extensionDigits = DigitRange(min: 2, max: 5)
        /// When not empty, only numbers starting with one of these (and within
        /// ``extensionDigits``) are internal.
        public var internalPrefixes: [String] = []
        /// Emergency numbers, matched exactly; they are never blocked.
        public var emergency: [String] = ["112", "999"]
        /// The starts of national significant numbers that are mobile (`7` in the UK).
        public var mobilePrefixes: [String] = ["7"]
        /// Prefixes treated as high-risk besides the shipped list (E.164 digits, `+` optional).
        public var highRiskPrefixes: [String] = []

        public init(
            countryCode: String = "44", nationalPrefix: String = "0", internationalPrefix: String = "00",
            extensionDigits: DigitRange = DigitRange(min: 2, max: 5), internalPrefixes: [String] = [],
            emergency: [String] = ["112", "999"], mobilePrefixes: [String] = ["7"], highRiskPrefixes: [String] = []
        ) {
            self.countryCode = countryCode
            self.nationalPrefix = nationalPrefix
            self.internationalPrefix = internationalPrefix
            self.extensionDigits = extensionDigits
            self.internalPrefixes = internalPrefixes
            self.emergency = emergency
            self.mobilePrefixes = mobilePrefixes
            self.highRiskPrefixes = highRiskPrefixes
        }
    }

    /// An inclusive range of digit counts.
    public struct DigitRange: Sendable, Hashable, Codable {
        public var min: Int
        public var max: Int

        public init(min: Int, max: Int) {
            self.min = min
            self.max = max
        }

        /// Whether `count` digits fall within the range.
        public func contains(_ count: Int) -> Bool { count >= min && count <= max }
    }
}
