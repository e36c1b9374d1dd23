/// An ordered list of `;name=value` parameters, as carried by header values and URIs.
///
/// Names compare case-insensitively (RFC 3261 §7.3.1); values are kept as written, so a
/// quoted value keeps its quotes and a URI parameter keeps its `%HH` escapes.
public struct SIPParameters: Sendable, Hashable, Sequence, CustomStringConvertible, ExpressibleByDictionaryLiteral {
    /// One parameter; `value` is `nil` for a flag such as `lr` or `rport`.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var elements: [Parameter]

    public init() { elements = [] }

    public init(dictionaryLiteral elements: (String, String?)...) {
        self.elements = elements.map { Parameter(name: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }

    public func makeIterator() -> IndexingIterator<[Parameter]> { elements.makeIterator() }

    /// Whether a parameter of this name is present (with or without a value).
    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// The value of the named parameter: `.some(nil)` for a flag, `nil` when absent.
    public subscript(_ name: String) -> String?? {
        guard let index = index(of: name) else { return nil }
        return .some(elements[index].value)
    }

    /// The value of the named parameter with surrounding quotes removed and quoted pairs unescaped.
    public func unquotedValue(_ name: String) -> String? {
        guard let index = index(of: name), let value = elements[index].value else { return nil }
        return SIPParameters.unquote(value)
    }

    /// Adds a parameter at the end.
    public mutating func append(_ name: String, _ value: String?) {
        elements.append(Parameter(name: name, value: value))
    }

    /// Sets a parameter, replacing the first of that name or adding it at the end.
    public mutating func set(_ name: String, _ value: String?) {
        if let index = index(of: name) {
            elements[index].value = value
        } else {
            append(name, value)
        }
    }

    /// Removes every parameter of this name.
    public mutating func remove(_ name: String) {
        elements.removeAll { SIPCharacterClass.equalsIgnoringCase($0.name, name) }
    }

    func index(of name: String) -> Int? {
        elements.firstIndex { SIPCharacterClass.equalsIgnoringCase($0.name, name) }
    }

    /// `;name=value;flag` as written on the wire.
    public var description: String {
        var out = ""
        for parameter in elements {
            out += ";" + parameter.name
            if let value = parameter.value { out += "=" + value }
        }
        return out
    }

    /// Equal when the same names carry the same values, in any order, names case-insensitive.
    /// Each parameter must pair with a distinct one of the other list, so repeated names count.
    public static func == (lhs: SIPParameters, rhs: SIPParameters) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var unmatched = rhs.elements
        for parameter in lhs.elements {
            let name = parameter.name.lowercased()
            guard let index = unmatched.firstIndex(where: { $0.value == parameter.value && $0.name.lowercased() == name }) else {
                return false
            }
            unmatched.remove(at: index)
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for parameter in elements {
            var inner = Hasher()
            inner.combine(parameter.name.lowercased())
            inner.combine(parameter.value)
            combined ^= inner.finalize()
        }
        hasher.combine(combined)
    }

    /// A quoted string's content with quoted pairs resolved; other text is returned unchanged.
    static func unquote(_ text: String) -> String {
        // Most values are not quoted: no copy of their bytes for those.
        guard text.utf8.count >= 2, text.utf8.first == UInt8(ascii: "\""), text.utf8.last == UInt8(ascii: "\"") else { return text }
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        var index = 1
        while index < utf8.count - 1 {
            if utf8[index] == UInt8(ascii: "\\"), index + 1 < utf8.count - 1 {
                out.append(utf8[index + 1])
                index += 2
            } else {
                out.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` as a quoted string, with `"` and `\` escaped.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
