/// Why a dialled string could not be read as a number.
public enum DialledNumberError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing was dialled (or only separators).
    case empty
    /// A character other than digits, separators (space, `-`, `(`, `)`, `.`) and one leading `+`.
    case invalidCharacter(Character, in: String)
    /// More digits than an E.164 number can have (15).
    case tooLong(String)

    public var description: String {
        switch self {
        case .empty: "no digits were dialled"
        case .invalidCharacter(let character, let text): "\"\(text)\" is not a number: unexpected \"\(character)\""
        case .tooLong(let digits): "\"\(digits)\" has more than 15 digits, the most an E.164 number has"
        }
    }
}
