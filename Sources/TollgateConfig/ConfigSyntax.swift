import TollgateModel

/// Small lexical checks shared by the configuration types: host names, SIP tokens, dial strings.
enum ConfigSyntax {
    /// Whether `text` is an RFC 1123 host name: dot-separated labels of letters, digits and inner
    /// hyphens, each 1-63 characters, 253 in all, whose last label is not all digits (so that a
    /// mistyped IPv4 address such as `10.0.0.256` is not taken for a name).
    static func isHostName(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= 63 else { return false }
            guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        guard let last = labels.last, !last.utf8.allSatisfy(isDigit) else { return false }
        return true
    }

    /// Whether `text` is a SIP `token` (RFC 3261 §25.1): `alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"`.
    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenCharacter)
    }

    /// Whether `byte` may appear in a SIP `token`.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        if isAlphanumeric(byte) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `text` is digits with an optional leading `+` (possibly just `+`, or empty when `allowEmpty`).
    static func isDialPrefix(_ text: some StringProtocol, allowEmpty: Bool = true) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        if bytes.isEmpty { return allowEmpty || text.utf8.first == UInt8(ascii: "+") }
        return bytes.allSatisfy(isDigit)
    }

    /// Whether `text` is a complete dialled number: an optional `+` then at least one digit.
    static func isDialNumber(_ text: some StringProtocol) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy(isDigit)
    }

    /// A dialled number with visual separators (spaces, `-`, `(`, `)`) removed.
    static func normalizeNumber(_ text: some StringProtocol) -> String {
        String(text.filter { $0 != " " && $0 != "-" && $0 != "(" && $0 != ")" })
    }

    /// An IP literal as an address, accepting an IPv6 literal in brackets.
    static func ipLiteral(_ host: some StringProtocol) -> IPAddress? {
        var text = Substring(host)
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = text.dropFirst().dropLast()
            return IPAddress.parseIPv6(text).flatMap { IPAddress(bytes: $0) }
        }
        return IPAddress(parsing: text)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    /// Quotes a value for a message: `'value'`.
    static func quoted(_ text: some StringProtocol) -> String {
        "'" + text + "'"
    }

    /// `"a, b or c"`.
    static func alternatives(_ words: [String]) -> String {
        guard words.count > 1, let last = words.last else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }
}
