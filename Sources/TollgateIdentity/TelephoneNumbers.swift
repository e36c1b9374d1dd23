/// How the numbers in SIP are written where Tollgate stands, so that `+14155550100`, `14155550100`,
/// `004155…` and the national `(415) 555-0100` compare as the same E.164 number a PASSporT carries.
public struct TelephoneNumbers: Sendable, Hashable {
    /// The country calling code of numbers written nationally, e.g. `1` or `49`.
    public var countryCode: String
    /// What starts a number dialled internationally without `+` (`00`, or `011` in North America).
    public var internationalPrefix: String
    /// What starts a number written nationally (`0` in most of Europe; empty in North America).
    public var nationalPrefix: String

    public init(countryCode: String = "1", internationalPrefix: String? = nil, nationalPrefix: String? = nil) {
        self.countryCode = countryCode
        let northAmerica = countryCode == "1"
        self.internationalPrefix = internationalPrefix ?? (northAmerica ? "011" : "00")
        self.nationalPrefix = nationalPrefix ?? (northAmerica ? "" : "0")
    }

    /// The E.164 digits (no `+`) of a number as SIP or a PASSporT writes it, or nil when it is no
    /// telephone number (letters, an extension's name). Visual separators (`-`, `.`, space,
    /// parentheses) and user parameters (`;npdi`, `;rn=…`, `;verstat=…`) are dropped.
    public func e164(_ text: String) -> String? {
        var body = Substring(text)
        if let semicolon = body.firstIndex(of: ";") { body = body[..<semicolon] }
        var digits = ""
        var international = false
        for (offset, character) in body.enumerated() {
            switch character {
            case "0"..."9": digits.append(character)
            case "+" where offset == 0: international = true
            case "-", ".", " ", "(", ")": continue
            default: return nil
            }
        }
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        if international { return digits }
        if !internationalPrefix.isEmpty, digits.hasPrefix(internationalPrefix) {
            let rest = String(digits.dropFirst(internationalPrefix.count))
            return rest.isEmpty ? nil : rest
        }
        if !nationalPrefix.isEmpty, digits.hasPrefix(nationalPrefix) {
            return countryCode + digits.dropFirst(nationalPrefix.count)
        }
        // Eleven digits or more is E.164 without the `+` (a PASSporT's form, and many trunks'); fewer
        // is a national number without a trunk prefix (North America's ten digits).
        return digits.count >= 11 ? digits : countryCode + digits
    }

    /// Whether two numbers name the same telephone number once written as E.164.
    public func same(_ lhs: String, _ rhs: String) -> Bool {
        guard let left = e164(lhs), let right = e164(rhs) else { return false }
        return left == right
    }
}
