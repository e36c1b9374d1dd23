/// The result of classifying one dialled number.
public struct Classification: Sendable, Hashable, Codable {
    /// The kind of destination.
    public var numberClass: NumberClass
    /// The number in E.164 form with `+` (`+441632960123`); `nil` for internal and emergency numbers.
    public var e164: String?
    /// The country calling code of ``e164`` (`44`, `1`); `nil` when there is no ``e164``.
    public var countryCode: String?
    /// The high-risk or premium prefix that matched, with `+` (`+252`), if one did.
    public var matchedPrefix: String?

    public init(numberClass: NumberClass, e164: String? = nil, countryCode: String? = nil, matchedPrefix: String? = nil) {
        self.numberClass = numberClass
        self.e164 = e164
        self.countryCode = countryCode
        self.matchedPrefix = matchedPrefix
    }
}
