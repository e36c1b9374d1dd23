import TollgateConfig

/// The local numbering plan: how numbers are dialled from the PBX and what they reach.
///
/// Pure data with the rules that read dialled digits; built from `fraud.numbering` in the
/// configuration (which validates it) or in code.
public struct NumberingPlan: Sendable, Hashable {
    /// The PBX's own country calling code (`44`).
    public var countryCode: String
    /// The trunk prefix before a national number (`0`; `1` in the NANP; may be empty).
    public var nationalPrefix: String
    /// The prefix before an international number (`00`; `011` in the NANP).
    public var internationalPrefix: String
    /// How many digits an internal extension has.
    public var extensionDigits: ClosedRange<Int>
    /// When not empty, only numbers starting with one of these are internal.
    public var internalPrefixes: [String]
    /// Emergency numbers, matched exactly.
    public var emergency: Set<String>
    /// The starts of national significant numbers that are mobile.
    public var mobilePrefixes: [String]

    /// What dialled digits amount to before any risk lookup.
    public enum Reading: Sendable, Hashable {
        /// An emergency number (the digits as dialled).
        case emergency(String)
        /// An internal extension (the digits as dialled).
        case `internal`(String)
        /// A public number: its E.164 digits, without `+`.
        case e164(String)
    }

    public init(
        countryCode: String = "44", nationalPrefix: String = "0", internationalPrefix: String = "00",
        extensionDigits: ClosedRange<Int> = 2...5, internalPrefixes: [String] = [], emergency: Set<String> = ["112", "999"],
        mobilePrefixes: [String] = ["7"]
    ) {
        self.countryCode = countryCode
        self.nationalPrefix = nationalPrefix
        self.internationalPrefix = internationalPrefix
        self.extensionDigits = extensionDigits
        self.internalPrefixes = internalPrefixes
        self.emergency = emergency
        self.mobilePrefixes = mobilePrefixes
    }

    /// The plan of a validated `fraud.numbering` section.
    public init(_ config: FraudConfig.Numbering) {
        let low = max(1, config.extensionDigits.min)
        self.init(
            countryCode: config.countryCode, nationalPrefix: config.nationalPrefix, internationalPrefix: config.internationalPrefix,
            extensionDigits: low...max(low, config.extensionDigits.max), internalPrefixes: config.internalPrefixes,
            emergency: Set(config.emergency), mobilePrefixes: config.mobilePrefixes
        )
    }

    /// Reads dialled digits: emergency numbers first, then extensions, then the international
    /// prefix, then the national prefix; digits with neither prefix are taken as a national
    /// significant number.
    public func read(_ dialled: DialledDigits) throws(DialledNumberError) -> Reading {
        let digits = dialled.digits
        let e164: String
        if dialled.international {
            e164 = digits
        } else if emergency.contains(digits) {
            return .emergency(digits)
        } else if isInternal(digits) {
            return .internal(digits)
        } else if digits.hasPrefix(internationalPrefix) {
            e164 = String(digits.dropFirst(internationalPrefix.count))
        } else if !nationalPrefix.isEmpty, digits.hasPrefix(nationalPrefix) {
            e164 = countryCode + digits.dropFirst(nationalPrefix.count)
        } else {
            e164 = countryCode + digits
        }
        guard !e164.isEmpty else { throw .empty }
        guard e164.count <= 15 else { throw .tooLong(e164) }
        return .e164(e164)
    }

    /// Whether `digits` is an internal extension.
    public func isInternal(_ digits: String) -> Bool {
        guard extensionDigits.contains(digits.count) else { return false }
        if !internalPrefixes.isEmpty { return internalPrefixes.contains { digits.hasPrefix($0) } }
        if !nationalPrefix.isEmpty, digits.hasPrefix(nationalPrefix) { return false }
        return !digits.hasPrefix(internationalPrefix)
    }

    /// Whether an E.164 number (digits without `+`) in the plan's own country is a mobile number.
    public func isMobile(_ e164Digits: String) -> Bool {
        guard e164Digits.hasPrefix(countryCode) else { return false }
        let national = e164Digits.dropFirst(countryCode.count)
        return mobilePrefixes.contains { national.hasPrefix($0) }
    }
}
