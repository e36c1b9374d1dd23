/// The CSeq value (RFC 3261 §20.16): a sequence number below 2^32 and the request's method.
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method)" }

    init(scanner: inout SIPValueScanner) throws(SIPParseError) {
        scanner.skipLWS()
        let number = try SIPCSeq.decimal(&scanner, maximum: UInt64(UInt32.max), what: "CSeq number below 2^32")
        let before = scanner.index
        scanner.skipLWS()
        guard scanner.index > before else { throw scanner.error("expected white space after the CSeq number") }
        let method = try scanner.token("CSeq method")
        try scanner.expectEnd("the CSeq method")
        self.sequence = UInt32(number)
        self.method = SIPMethod(bytes: UnsafeBufferPointer(rebasing: scanner.bytes[method]))
    }

    /// Reads 1*DIGIT (leading zeros allowed) no greater than `maximum`.
    static func decimal(_ scanner: inout SIPValueScanner, maximum: UInt64, what: String) throws(SIPParseError) -> UInt64 {
        let start = scanner.index
        var value: UInt64 = 0
        while let byte = scanner.current, SIPCharacterClass.isDigit(byte) {
            value = value * 10 + UInt64(byte &- 0x30)
            guard value <= maximum else { throw scanner.error("expected \(what)") }
            scanner.index += 1
        }
        guard scanner.index > start else { throw scanner.error("expected \(what)") }
        return value
    }
}

/// One Contact value (RFC 3261 §20.10): `*` or an address with `expires` and `q` parameters.
public enum SIPContact: Sendable, Hashable, CustomStringConvertible {
    /// `Contact: *`, only valid in a REGISTER that removes all bindings.
    case wildcard
    case address(SIPNameAddress)

    /// The address, unless this is the wildcard.
    public var address: SIPNameAddress? {
        if case .address(let address) = self { return address }
        return nil
    }

    /// The `expires` parameter, in seconds.
    public var expires: UInt32? {
        address?.parameters.unquotedValue("expires").flatMap { UInt32($0) }
    }

    /// The `q` parameter (0 to 1).
    public var q: Double? {
        address?.parameters.unquotedValue("q").flatMap { Double($0) }
    }

    public var description: String {
        switch self {
        case .wildcard: "*"
        case .address(let address): address.description
        }
    }
}

/// A Content-Type value (RFC 3261 §20.15): `type/subtype;parameters`.
public struct SIPMediaType: Sendable, Hashable, CustomStringConvertible {
    /// The type, lowercased (`application`).
    public var type: String
    /// The subtype, lowercased (`sdp`).
    public var subtype: String
    public var parameters: SIPParameters

    public init(type: String, subtype: String, parameters: SIPParameters = SIPParameters()) {
        self.type = SIPCharacterClass.lowercased(type)
        self.subtype = SIPCharacterClass.lowercased(subtype)
        self.parameters = parameters
    }

    /// `application/sdp`.
    public static let sdp = SIPMediaType(type: "application", subtype: "sdp")

    /// Whether this is `application/sdp`.
    public var isSDP: Bool { type == "application" && subtype == "sdp" }

    public var description: String { "\(type)/\(subtype)\(parameters)" }

    init(scanner: inout SIPValueScanner) throws(SIPParseError) {
        scanner.skipLWS()
        let type = try scanner.token("media type")
        try scanner.expect(UInt8(ascii: "/"), "'/' between media type and subtype")
        let subtype = try scanner.token("media subtype")
        let parameters = try scanner.parameters()
        try scanner.expectEnd("the media type")
        self.init(type: scanner.string(type), subtype: scanner.string(subtype), parameters: parameters)
    }
}
