/// A dialled string reduced to its digits: separators removed, a `tel:`/`sip:` URI reduced to
/// its user part, and whether it was written in international form (a leading `+`).
public struct DialledDigits: Sendable, Hashable {
    /// The digits, `0`–`9` only, never empty.
    public var digits: String
    /// Whether the number was written with a leading `+` (already in international form).
    public var international: Bool

    /// Reads `text`: `+44 (20) 7946-0958`, `tel:+442079460958`, `sip:2001@pbx.example.com`.
    public init(_ text: String) throws(DialledNumberError) {
        var rest = Substring(text.trimmingSpaces())
        let lowered = rest.lowercased()
        for scheme in ["tel:", "sips:", "sip:"] where lowered.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            if scheme != "tel:", let at = rest.firstIndex(of: "@") { rest = rest[..<at] }
            break
        }
        // URI parameters (`;phone-context=…`, `;user=phone`) are not part of the number.
        if let semicolon = rest.firstIndex(of: ";") { rest = rest[..<semicolon] }
        var digits = ""
        var international = false
        for character in rest {
            switch character {
            case "0"..."9": digits.append(character)
            case " ", "\t", "-", "(", ")", ".": continue
            case "+" where digits.isEmpty && !international: international = true
            default: throw .invalidCharacter(character, in: text)
            }
        }
        guard !digits.isEmpty else { throw .empty }
        self.digits = digits
        self.international = international
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
