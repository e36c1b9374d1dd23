/// Typed views of the headers a proxy and a security gateway rely on.
///
/// Each view reads the header's bytes when called (nothing is parsed up front) and throws a
/// ``SIPParseError`` naming the header and the byte offset when the value is malformed. A missing
/// single-valued header gives `nil`; a missing list header gives an empty array.
extension SIPMessage {
    /// Parses every value of `name` with `parse`.
    func typedValues<T>(
        _ name: SIPHeaderName,
        skippingEmptyFields: Bool = false,
        _ parse: (inout SIPValueScanner) throws(SIPParseError) -> T
    ) throws(SIPParseError) -> [T] {
        var result: [T] = []
        try forEachValue(of: name, skippingEmptyFields: skippingEmptyFields) { (bytes, offset) throws(SIPParseError) in
            var scanner = SIPValueScanner(bytes, base: offset, header: name)
            result.append(try parse(&scanner))
        }
        return result
    }

    /// Parses the first value of `name` with `parse`, or `nil` if absent.
    func typedFirst<T>(
        _ name: SIPHeaderName,
        _ parse: (inout SIPValueScanner) throws(SIPParseError) -> T
    ) throws(SIPParseError) -> T? {
        guard let index = firstFieldIndex(of: name) else { return nil }
        let field = fields[index]
        let result: Result<T, SIPParseError> = storage.withUnsafeBufferPointer { buffer in
            var scanner = SIPValueScanner(UnsafeBufferPointer(rebasing: buffer[field.value]), base: field.value.lowerBound, header: name)
            do throws(SIPParseError) {
                return .success(try parse(&scanner))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Every Via value, top first.
    public func vias() throws(SIPParseError) -> [SIPVia] {
        try typedValues(.via) { (scanner) throws(SIPParseError) in try SIPVia(scanner: &scanner) }
    }

    /// The top Via value (the first value of the first Via field).
    public func topVia() throws(SIPParseError) -> SIPVia? {
        var top: SIPVia?
        guard let index = firstFieldIndex(of: .via) else { return nil }
        let field = fields[index]
        let result: Result<SIPVia, SIPParseError> = storage.withUnsafeBufferPointer { buffer in
            let end = SIPValueScanner.firstTopLevelComma(in: buffer, field.value) ?? field.value.upperBound
            var scanner = SIPValueScanner(UnsafeBufferPointer(rebasing: buffer[field.value.lowerBound..<end]), base: field.value.lowerBound, header: .via)
            do throws(SIPParseError) {
                return .success(try SIPVia(scanner: &scanner))
            } catch {
                return .failure(error)
            }
        }
        top = try result.get()
        return top
    }

    /// The From value.
    public func from() throws(SIPParseError) -> SIPNameAddress {
        guard let value = try typedFirst(.from, Self.nameAddress) else { throw missing(.from) }
        return value
    }

    /// The To value.
    public func to() throws(SIPParseError) -> SIPNameAddress {
        guard let value = try typedFirst(.to, Self.nameAddress) else { throw missing(.to) }
        return value
    }

    /// The Call-ID value (`word ["@" word]`), checked against RFC 3261's grammar.
    public func callID() throws(SIPParseError) -> String {
        guard let value = try typedFirst(.callID, { (scanner) throws(SIPParseError) -> String in
            var sawAt = false
            let start = scanner.index
            while let byte = scanner.current {
                if byte == UInt8(ascii: "@") {
                    guard !sawAt, scanner.index > start, scanner.index + 1 < scanner.bytes.count else {
                        throw scanner.error("Call-ID is not word[@word]")
                    }
                    sawAt = true
                } else if !SIPCharacterClass.isWord(byte) {
                    throw scanner.error("character not allowed in a Call-ID")
                }
                scanner.index += 1
            }
            guard scanner.index > start else { throw scanner.error("empty Call-ID") }
            return scanner.string(start..<scanner.index)
        }) else { throw missing(.callID) }
        return value
    }

    /// The CSeq value.
    public func cseq() throws(SIPParseError) -> SIPCSeq {
        guard let value = try typedFirst(.cseq, { (scanner) throws(SIPParseError) in try SIPCSeq(scanner: &scanner) }) else {
            throw missing(.cseq)
        }
        return value
    }

    /// The Max-Forwards value (0 to 255), or `nil` when absent.
    public func maxForwards() throws(SIPParseError) -> UInt8? {
        try typedFirst(.maxForwards) { (scanner) throws(SIPParseError) -> UInt8 in
            let value = try SIPCSeq.decimal(&scanner, maximum: 255, what: "Max-Forwards from 0 to 255")
            try scanner.expectEnd("Max-Forwards")
            return UInt8(value)
        }
    }

    /// The Expires value in seconds, or `nil` when absent.
    public func expires() throws(SIPParseError) -> UInt32? {
        try typedFirst(.expires) { (scanner) throws(SIPParseError) -> UInt32 in
            let value = try SIPCSeq.decimal(&scanner, maximum: UInt64(UInt32.max), what: "Expires below 2^32")
            try scanner.expectEnd("Expires")
            return UInt32(value)
        }
    }

    /// The Content-Length value, or `nil` when absent.
    public func contentLength() throws(SIPParseError) -> Int? {
        try typedFirst(.contentLength) { (scanner) throws(SIPParseError) -> Int in
            Int(try SIPCSeq.decimal(&scanner, maximum: 4_294_967_295, what: "Content-Length"))
        }
    }

    /// The Content-Type value, or `nil` when absent.
    public func contentType() throws(SIPParseError) -> SIPMediaType? {
        try typedFirst(.contentType) { (scanner) throws(SIPParseError) in try SIPMediaType(scanner: &scanner) }
    }

    /// Every Contact value; `*` is ``SIPContact/wildcard``.
    public func contacts() throws(SIPParseError) -> [SIPContact] {
        try typedValues(.contact) { (scanner) throws(SIPParseError) -> SIPContact in
            scanner.skipLWS()
            if scanner.current == UInt8(ascii: "*") {
                scanner.index += 1
                try scanner.expectEnd("'*'")
                return .wildcard
            }
            let address = try SIPNameAddress(scanner: &scanner)
            try scanner.expectEnd("the Contact value")
            if let expires = address.parameters["expires"] {
                guard let text = expires, UInt32(text) != nil else {
                    throw scanner.error("Contact expires is not a number below 2^32")
                }
            }
            if let q = address.parameters["q"] {
                guard let text = q, Self.isQValue(text) else { throw scanner.error("Contact q is not a number from 0 to 1") }
            }
            return .address(address)
        }
    }

    /// Every Route value, top first.
    public func routes() throws(SIPParseError) -> [SIPNameAddress] {
        try typedValues(.route, Self.bracketedNameAddress)
    }

    /// Every Record-Route value, top first.
    public func recordRoutes() throws(SIPParseError) -> [SIPNameAddress] {
        try typedValues(.recordRoute, Self.bracketedNameAddress)
    }

    /// Every Path value (RFC 3327).
    public func paths() throws(SIPParseError) -> [SIPNameAddress] {
        try typedValues(.path, Self.bracketedNameAddress)
    }

    /// Every P-Asserted-Identity value (RFC 3325).
    public func assertedIdentities() throws(SIPParseError) -> [SIPNameAddress] {
        try typedValues(.pAssertedIdentity, Self.nameAddress)
    }

    /// The User-Agent value, unfolded, or `nil`.
    public var userAgent: String? { firstValue(of: .userAgent) }

    /// The Server value, unfolded, or `nil`.
    public var server: String? { firstValue(of: .server) }

    /// The methods listed in Allow.
    /// An empty Allow is legal (RFC 3261 §20.5) and gives an empty list.
    public func allow() throws(SIPParseError) -> [SIPMethod] {
        try typedValues(.allow, skippingEmptyFields: true) { (scanner) throws(SIPParseError) -> SIPMethod in
            scanner.skipLWS()
            let token = try scanner.token("method")
            try scanner.expectEnd("the method")
            return SIPMethod(bytes: UnsafeBufferPointer(rebasing: scanner.bytes[token]))
        }
    }

    /// The option tags in Supported.
    public func supported() throws(SIPParseError) -> [String] { try optionTags(.supported) }

    /// The option tags in Require.
    public func require() throws(SIPParseError) -> [String] { try optionTags(.require) }

    /// The option tags in Proxy-Require.
    public func proxyRequire() throws(SIPParseError) -> [String] { try optionTags(.proxyRequire) }

    /// Option tags; an empty Supported is legal (RFC 3261 §20.37) and gives an empty list.
    func optionTags(_ name: SIPHeaderName) throws(SIPParseError) -> [String] {
        try typedValues(name, skippingEmptyFields: true) { (scanner) throws(SIPParseError) -> String in
            scanner.skipLWS()
            let token = try scanner.token("option tag")
            try scanner.expectEnd("the option tag")
            return scanner.string(token)
        }
    }

    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 3261 §25.1)
    static func isQValue(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return false }
        guard utf8.count > 1 else { return true }
        guard utf8[1] == UInt8(ascii: "."), utf8.count <= 5 else { return false }
        let decimals = utf8[2...]
        return first == UInt8(ascii: "0") ? decimals.allSatisfy(SIPCharacterClass.isDigit) : decimals.allSatisfy { $0 == UInt8(ascii: "0") }
    }

    func missing(_ name: SIPHeaderName) -> SIPParseError {
        SIPParseError(.malformedHeaderValue("header is missing"), offset: 0, header: name)
    }

    static func nameAddress(_ scanner: inout SIPValueScanner) throws(SIPParseError) -> SIPNameAddress {
        let value = try SIPNameAddress(scanner: &scanner)
        try scanner.expectEnd("the address")
        return value
    }

    static func bracketedNameAddress(_ scanner: inout SIPValueScanner) throws(SIPParseError) -> SIPNameAddress {
        scanner.skipLWS()
        let start = scanner.index
        let value = try SIPNameAddress(scanner: &scanner)
        try scanner.expectEnd("the address")
        guard scanner.bytes[start...].contains(UInt8(ascii: "<")) else {
            throw SIPParseError(.malformedHeaderValue("route URI must be enclosed in <>"), offset: scanner.base + start, header: scanner.header)
        }
        return value
    }
}
