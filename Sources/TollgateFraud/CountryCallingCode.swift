/// Country calling codes (ITU-T E.164 assignments) found at the start of an international number.
///
/// ITU codes are prefix-free: `1` and `7` are the only one-digit codes, the two-digit codes are
/// listed below, and every other code has three digits. Detection relies on that rule alone, so a
/// three-digit code is returned even when it is unassigned or spare; numbers within shared codes
/// (the NANP's `1`, `7` for Russia and Kazakhstan) are not told apart by country.
public enum CountryCallingCode {
    /// The two-digit country codes.
    static let twoDigit: Set<String> = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
        "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ]

    /// The country code `e164Digits` (an international number without `+`) starts with, or
    /// `nil` when it starts with 0 or is too short to hold one.
    public static func of(_ e164Digits: String) -> String? {
        guard let first = e164Digits.first, first != "0" else { return nil }
        if first == "1" || first == "7" { return String(first) }
        let two = String(e164Digits.prefix(2))
        guard two.count == 2 else { return nil }
        if twoDigit.contains(two) { return two }
        let three = String(e164Digits.prefix(3))
        return three.count == 3 ? three : nil
    }
}
