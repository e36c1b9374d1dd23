/// An outbound routing rule: numbers starting with ``prefix`` go to ``trunks``.
public struct RouteRule: Sendable, Hashable, Codable {
    /// A name for logs and `route test`.
    public var name: String?
    /// Digits, optionally starting with `+`; `""` matches every number. The longest matching prefix wins.
    public var prefix: String
    /// Names of trunks, in order of preference.
    public var trunks: [String]
    /// How many leading characters of the (normalised) number to remove before sending.
    public var stripDigits: Int = 0
    /// Digits (optionally starting with `+`) to put in front of the number after stripping.
    public var prependDigits: String = ""

    /// Creates a route rule.
    ///
    /// - Parameters:
    ///   - name: A name for logs.
    ///   - prefix: Digits, optionally starting with `+`; `""` matches everything.
    ///   - trunks: Names of trunks, in order of preference.
    ///   - stripDigits: Leading characters to remove.
    ///   - prependDigits: Digits to put in front after stripping.
    public init(name: String? = nil, prefix: String, trunks: [String], stripDigits: Int = 0, prependDigits: String = "")
    {
        self.name = name
        self.prefix = prefix
        self.trunks = trunks
        self.stripDigits = stripDigits
        self.prependDigits = prependDigits
    }

    /// Whether the rule applies to `number` (separators such as spaces, `-`, `(`, `)` ignored).
    public func matches(_ number: String) -> Bool {
        let normalized = ConfigSyntax.normalizeNumber(number)
        return ConfigSyntax.isDialNumber(normalized) && normalized.hasPrefix(prefix)
    }

    /// The number to send to the trunk: separators removed, ``stripDigits`` leading characters
    /// dropped, then ``prependDigits`` put in front (`"00 44 20…"` with strip 2, prepend `+` → `"+4420…"`).
    public func rewrite(_ number: String) -> String {
        let normalized = ConfigSyntax.normalizeNumber(number)
        return prependDigits + normalized.dropFirst(max(0, stripDigits))
    }
}
