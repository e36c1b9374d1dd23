/// A `name-addr` or `addr-spec` with header parameters: the value of From, To, Contact, Route,
/// Record-Route, Path, Reply-To, Refer-To and P-Asserted-Identity (RFC 3261 §20).
public struct SIPNameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name without quotes, or `nil` when there is none.
    public var displayName: String?
    /// The URI.
    public var uri: SIPURI
    /// Header parameters after the URI (`;tag=...`, `;expires=...`, `;q=...`).
    public var parameters: SIPParameters

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (From and To).
    public var tag: String? {
        get { parameters.unquotedValue("tag") }
        set {
            if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") }
        }
    }

    /// Written in the `name-addr` form, which is always safe: `"Name" <uri>;params`.
    public var description: String {
        var out = ""
        if let displayName { out += SIPParameters.quote(displayName) + " " }
        return out + "<\(uri)>" + parameters.description
    }

    /// Parses a `name-addr` / `addr-spec` value; nothing but white space may follow it.
    public init(parsing text: String, header: SIPHeaderName? = nil) throws(SIPParseError) {
        var text = text
        let result: Result<SIPNameAddress, SIPParseError> = text.withUTF8 { bytes in
            var scanner = SIPValueScanner(bytes, header: header)
            do throws(SIPParseError) {
                let address = try SIPNameAddress(scanner: &scanner)
                try scanner.expectEnd("the address")
                return .success(address)
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    init(scanner: inout SIPValueScanner) throws(SIPParseError) {
        scanner.skipLWS()
        var displayName: String?
        let bytes = scanner.bytes
        if scanner.current == UInt8(ascii: "\"") {
            displayName = try scanner.quotedString()
            scanner.skipLWS()
            guard scanner.current == UInt8(ascii: "<") else { throw scanner.error("expected '<' after the display name") }
        } else if scanner.current != UInt8(ascii: "<") {
            // Either `*(token LWS) <uri>` or a bare addr-spec: look ahead for '<'.
            let save = scanner.index
            var sawToken = false
            while let byte = scanner.current, SIPCharacterClass.isToken(byte) || SIPCharacterClass.isLWS(byte) {
                sawToken = sawToken || SIPCharacterClass.isToken(byte)
                scanner.index += 1
            }
            if scanner.current == UInt8(ascii: "<") {
                var end = scanner.index
                while end > save, SIPCharacterClass.isLWS(bytes[end - 1]) { end -= 1 }
                if sawToken { displayName = scanner.string(save..<end) }
            } else {
                // addr-spec: the URI runs to ';', white space or the end; it may not hold ',', ';' or '?'
                // unescaped outside <> (RFC 3261 §20), so its parameters are header parameters.
                scanner.index = save
                let start = scanner.index
                while let byte = scanner.current, !SIPCharacterClass.isLWS(byte), byte != UInt8(ascii: ";") {
                    guard byte != UInt8(ascii: ","), byte != UInt8(ascii: "?"), byte != UInt8(ascii: "<"),
                        byte != UInt8(ascii: ">"), byte != UInt8(ascii: "\"")
                    else {
                        throw scanner.error("URI with ',', '?' or brackets must be enclosed in <>")
                    }
                    scanner.index += 1
                }
                self.uri = try SIPURI(bytes: UnsafeBufferPointer(rebasing: bytes[start..<scanner.index]), base: scanner.base + start, header: scanner.header)
                self.displayName = nil
                self.parameters = try scanner.parameters()
                return
            }
        }
        // '<' URI '>'
        scanner.index += 1
        let uriStart = scanner.index
        guard let close = bytes.firstIndex(of: UInt8(ascii: ">"), from: uriStart, to: bytes.count) else {
            throw scanner.error("missing '>'")
        }
        self.uri = try SIPURI(bytes: UnsafeBufferPointer(rebasing: bytes[uriStart..<close]), base: scanner.base + uriStart, header: scanner.header)
        scanner.index = close + 1
        self.displayName = displayName
        self.parameters = try scanner.parameters()
    }
}
