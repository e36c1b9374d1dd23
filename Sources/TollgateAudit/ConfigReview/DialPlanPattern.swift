/// An Asterisk extension pattern (`_00X.`, `_NXXNXXXXXX`, `_9011.`, `_[2-5]XX`, `_X!`) or a literal
/// extension, matched against numbers the way Asterisk does: `X` a digit, `Z` 1–9, `N` 2–9, `[…]` a
/// set with ranges, `.` one or more of anything, `!` zero or more.
struct DialPlanPattern: Sendable, Hashable {
    private enum Element: Hashable {
        case literal(Character)
        case set(Set<Character>)
        case oneOrMore
        case zeroOrMore
    }

    private let elements: [Element]
    let text: String

    init(_ text: String) {
        self.text = text
        guard text.hasPrefix("_") else {
            elements = text.map { .literal($0) }
            return
        }
        var elements: [Element] = []
        var characters = Array(text.dropFirst())
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character.uppercased() {
            case "X": elements.append(.set(Set("0123456789")))
            case "Z": elements.append(.set(Set("123456789")))
            case "N": elements.append(.set(Set("23456789")))
            case ".": elements.append(.oneOrMore)
            case "!": elements.append(.zeroOrMore)
            case "[":
                var members = Set<Character>()
                index += 1
                while index < characters.count, characters[index] != "]" {
                    if index + 2 < characters.count, characters[index + 1] == "-", let low = characters[index].asciiValue,
                       let high = characters[index + 2].asciiValue, low <= high {
                        for value in low...high { members.insert(Character(Unicode.Scalar(value))) }
                        index += 3
                    } else {
                        members.insert(characters[index])
                        index += 1
                    }
                }
                elements.append(.set(members))
            default:
                elements.append(.literal(character))
            }
            index += 1
        }
        characters.removeAll()
        self.elements = elements
    }

    /// Whether the pattern matches `number` whole.
    func matches(_ number: String) -> Bool {
        Self.match(elements[...], Array(number)[...])
    }

    private static func match(_ pattern: ArraySlice<Element>, _ number: ArraySlice<Character>) -> Bool {
        guard let first = pattern.first else { return number.isEmpty }
        switch first {
        case .literal(let character):
            guard let head = number.first, head == character else { return false }
            return match(pattern.dropFirst(), number.dropFirst())
        case .set(let members):
            guard let head = number.first, members.contains(head) else { return false }
            return match(pattern.dropFirst(), number.dropFirst())
        case .oneOrMore:
            guard !number.isEmpty else { return false }
            return (1...number.count).contains { match(pattern.dropFirst(), number.dropFirst($0)) }
        case .zeroOrMore:
            return (0...number.count).contains { match(pattern.dropFirst(), number.dropFirst($0)) }
        }
    }

    /// What kind of costly destination the pattern lets through, if any: tried with numbers as
    /// offices dial them, with and without an outside-line digit (9 or 0).
    var tollReach: String? {
        let international = ["0044207946000", "011442079460000", "+442079460000", "00252612345678", "0113712345678"]
        let premium = ["09001234567", "0900123456", "19005550100", "1900555012", "0906123456"]
        for access in ["", "9", "0"] {
            if international.contains(where: { matches(access + $0) }) { return "international" }
        }
        for access in ["", "9", "0"] {
            if premium.contains(where: { matches(access + $0) }) { return "premium-rate" }
        }
        return nil
    }
}
