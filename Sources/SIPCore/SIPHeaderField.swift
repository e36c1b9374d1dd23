/// One header field of a parsed message: where its name and value lie in the message's bytes.
///
/// Fields are indexes, not copies: the parser records ranges in one pass and typed views read
/// the bytes only when asked.
@usableFromInline
struct SIPHeaderFieldIndex: Sendable, Hashable {
    /// Range of the name as written (`v`, `VIA`, `Via`, ...).
    @usableFromInline var name: Range<Int>
    /// Range of the value, without leading and trailing white space; folds stay inside.
    @usableFromInline var value: Range<Int>
    /// The known header this name denotes, if any.
    @usableFromInline var known: SIPHeaderName.Known?
    /// Whether the value spans a line fold (CRLF followed by white space).
    @usableFromInline var isFolded: Bool

    @inlinable
    init(name: Range<Int>, value: Range<Int>, known: SIPHeaderName.Known?, isFolded: Bool) {
        self.name = name
        self.value = value
        self.known = known
        self.isFolded = isFolded
    }
}

/// A header field as text: what iteration over ``SIPMessage/headerFields`` yields.
public struct SIPHeaderField: Sendable, Hashable, CustomStringConvertible {
    /// The field's name as written.
    public var name: SIPHeaderName
    /// The name exactly as it appears on the wire (`v` for a compact Via).
    public var rawName: String
    /// The value, with line folds replaced by a single space.
    public var value: String

    public init(name: SIPHeaderName, rawName: String? = nil, value: String) {
        self.name = name
        self.rawName = rawName ?? name.text
        self.value = value
    }

    public var description: String { "\(rawName): \(value)" }
}
