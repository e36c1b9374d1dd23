// Small value types that make up an SDP session description (RFC 4566).

// MARK: - SDPAttribute

/// An SDP attribute line: `a=<name>` (property attribute) or
/// `a=<name>:<value>` (value attribute).
public struct SDPAttribute: Sendable, Hashable {
    /// The attribute name, for example `rtpmap` or `sendrecv`. A token.
    public var name: String

    /// The attribute value, or `nil` for a property attribute without `:`.
    public var value: String?

    /// Creates an attribute.
    ///
    /// - Parameters:
    ///   - name: The attribute name (an RFC 4566 token).
    ///   - value: The value after the `:`, or `nil` for a property attribute.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// The text after `a=`: `name` or `name:value`.
    public var lineValue: String {
        if let value = self.value {
            return "\(self.name):\(value)"
        }
        return self.name
    }
}

// MARK: - SDPDirection

/// The media direction attributes of RFC 3264 / RFC 4566 §6.
public enum SDPDirection: String, Sendable, Hashable, CaseIterable {
    /// `a=sendrecv`, the default when no direction attribute is present.
    case sendrecv
    /// `a=sendonly`.
    case sendonly
    /// `a=recvonly`.
    case recvonly
    /// `a=inactive`.
    case inactive

    /// The direction seen from the other party (`sendonly` ⇄ `recvonly`).
    public var reversed: SDPDirection {
        switch self {
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .sendrecv, .inactive: return self
        }
    }

    /// Whether an attribute name is one of the four direction attributes.
    static func isDirection(_ name: String) -> Bool {
        SDPDirection(rawValue: name) != nil
    }
}

// MARK: - SDPOrigin

/// The `o=` line: `<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`.
public struct SDPOrigin: Sendable, Hashable {
    /// The user's login on the originating host, or `-`.
    public var username: String
    /// The numeric session identifier (a string of decimal digits).
    public var sessionID: String
    /// The session version (a string of decimal digits).
    public var sessionVersion: String
    /// The network type, normally `IN`.
    public var networkType: String
    /// The address type, normally `IP4` or `IP6`.
    public var addressType: String
    /// The address of the originating host.
    public var address: String

    /// Creates an origin.
    ///
    /// - Parameters:
    ///   - username: The user name, or `-`.
    ///   - sessionID: The session identifier (decimal digits).
    ///   - sessionVersion: The session version (decimal digits).
    ///   - networkType: The network type, `IN` by default.
    ///   - addressType: The address type, `IP4` or `IP6`.
    ///   - address: The originating host's address.
    public init(
        username: String = "-",
        sessionID: String,
        sessionVersion: String,
        networkType: String = "IN",
        addressType: String = "IP4",
        address: String
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// The text after `o=`.
    public var lineValue: String {
        "\(self.username) \(self.sessionID) \(self.sessionVersion) \(self.networkType) \(self.addressType) \(self.address)"
    }

    /// Parses the value of an `o=` line: exactly six fields separated by
    /// single spaces.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPOrigin? {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        guard fields.count == 6,
            SDPSyntax.isVisible(fields[0]),
            SDPSyntax.isDigits(fields[1]),
            SDPSyntax.isDigits(fields[2]),
            SDPSyntax.isToken(fields[3]),
            SDPSyntax.isToken(fields[4]),
            SDPSyntax.isVisible(fields[5])
        else { return nil }
        return SDPOrigin(
            username: SDPSyntax.string(fields[0]),
            sessionID: SDPSyntax.string(fields[1]),
            sessionVersion: SDPSyntax.string(fields[2]),
            networkType: SDPSyntax.string(fields[3]),
            addressType: SDPSyntax.string(fields[4]),
            address: SDPSyntax.string(fields[5])
        )
    }
}

// MARK: - SDPConnection

/// Connection data (`c=` line, RFC 4566 §5.7): `IN IP4|IP6 <connection-address>`.
public struct SDPConnection: Sendable, Hashable {
    /// The network type; the parser accepts only `IN`.
    public var networkType: String
    /// The address type; the parser accepts `IP4` or `IP6`.
    public var addressType: String
    /// The connection address, including any `/<ttl>[/<count>]` (IPv4
    /// multicast) or `/<count>` (IPv6 multicast) suffix.
    public var address: String

    /// Creates connection data.
    ///
    /// - Parameters:
    ///   - networkType: The network type, `IN` by default.
    ///   - addressType: `IP4` or `IP6`.
    ///   - address: The address, optionally with its multicast suffix.
    public init(networkType: String = "IN", addressType: String, address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// The address without any `/ttl` or `/count` suffix.
    public var baseAddress: String {
        guard let slash = self.address.firstIndex(of: "/") else { return self.address }
        return String(self.address[..<slash])
    }

    /// The text after `c=`.
    public var lineValue: String {
        "\(self.networkType) \(self.addressType) \(self.address)"
    }

    /// Parses `<nettype> <addrtype> <connection-address>` (single spaces).
    static func parse(_ value: ArraySlice<UInt8>) -> SDPConnection? {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        return self.parse(networkType: fields[0], addressType: fields[1], address: fields[2])
    }

    /// Validates the three connection fields and builds the value.
    static func parse(
        networkType: ArraySlice<UInt8>,
        addressType: ArraySlice<UInt8>,
        address: ArraySlice<UInt8>
    ) -> SDPConnection? {
        guard networkType.elementsEqual("IN".utf8) else { return nil }
        let valid: Bool
        if addressType.elementsEqual("IP4".utf8) {
            valid = SDPSyntax.isIPv4ConnectionAddress(address)
        } else if addressType.elementsEqual("IP6".utf8) {
            valid = SDPSyntax.isIPv6ConnectionAddress(address)
        } else {
            valid = false
        }
        guard valid else { return nil }
        return SDPConnection(
            networkType: SDPSyntax.string(networkType),
            addressType: SDPSyntax.string(addressType),
            address: SDPSyntax.string(address)
        )
    }
}

// MARK: - SDPBandwidth

/// A bandwidth line (`b=<bwtype>:<bandwidth>`, RFC 4566 §5.8).
public struct SDPBandwidth: Sendable, Hashable {
    /// The bandwidth type, for example `AS`, `CT`, `TIAS`.
    public var type: String
    /// The bandwidth value (kilobits per second for `AS`/`CT`).
    public var value: UInt64

    /// Creates a bandwidth line.
    ///
    /// - Parameters:
    ///   - type: The bandwidth type token.
    ///   - value: The bandwidth value.
    public init(type: String, value: UInt64) {
        self.type = type
        self.value = value
    }

    /// The text after `b=`.
    public var lineValue: String {
        "\(self.type):\(self.value)"
    }

    /// Parses `<bwtype>:<bandwidth>`.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPBandwidth? {
        guard let colon = value.firstIndex(of: SDPSyntax.colon) else { return nil }
        let type = value[value.startIndex..<colon]
        guard SDPSyntax.isToken(type),
            let amount = SDPSyntax.decimal(value[(colon + 1)...], as: UInt64.self)
        else { return nil }
        return SDPBandwidth(type: SDPSyntax.string(type), value: amount)
    }
}

// MARK: - SDPTime

/// A timing line (`t=<start> <stop>`, RFC 4566 §5.9) with its repeat lines.
public struct SDPTime: Sendable, Hashable {
    /// The start time (NTP seconds), `0` for unbounded.
    public var start: UInt64
    /// The stop time (NTP seconds), `0` for unbounded.
    public var stop: UInt64
    /// The values of the `r=` lines following this `t=` line, kept raw.
    public var repeats: [String]

    /// Creates a timing line.
    ///
    /// - Parameters:
    ///   - start: The start time, `0` by default (permanent session).
    ///   - stop: The stop time, `0` by default (unbounded).
    ///   - repeats: The raw values of any `r=` lines.
    public init(start: UInt64 = 0, stop: UInt64 = 0, repeats: [String] = []) {
        self.start = start
        self.stop = stop
        self.repeats = repeats
    }

    /// The text after `t=`.
    public var lineValue: String {
        "\(self.start) \(self.stop)"
    }

    /// Parses `<start> <stop>`.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPTime? {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        guard fields.count == 2,
            let start = SDPSyntax.decimal(fields[0], as: UInt64.self),
            let stop = SDPSyntax.decimal(fields[1], as: UInt64.self)
        else { return nil }
        return SDPTime(start: start, stop: stop)
    }

    /// Validates an `r=` value: `<interval> <duration> <offset> [<offset> ...]`,
    /// each a decimal with an optional `d`/`h`/`m`/`s` unit.
    static func isValidRepeat(_ value: ArraySlice<UInt8>) -> Bool {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        return fields.count >= 3 && fields.allSatisfy { SDPSyntax.isTypedTime($0, signed: false) }
    }

    /// Validates a `z=` value: pairs of `<adjustment time> <offset>`, where
    /// the offset may be negative and carry a unit.
    static func isValidZoneAdjustments(_ value: ArraySlice<UInt8>) -> Bool {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        guard !fields.isEmpty, fields.count % 2 == 0 else { return false }
        for (index, field) in fields.enumerated() {
            let valid =
                index % 2 == 0
                ? SDPSyntax.decimal(field, as: UInt64.self) != nil
                : SDPSyntax.isTypedTime(field, signed: true)
            if !valid { return false }
        }
        return true
    }
}

// MARK: - SDPRTPMap

/// An `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`
/// attribute (RFC 4566 §6).
public struct SDPRTPMap: Sendable, Hashable {
    /// The RTP payload type, 0–127.
    public var payloadType: UInt8
    /// The encoding name, for example `PCMU` or `opus`.
    public var encodingName: String
    /// The RTP clock rate in Hz, greater than zero. `nil` for the short form `a=rtpmap:31 LPC`,
    /// which RFC 4566 does not allow but RFC 4475's well-formed torture messages carry, so it is
    /// tolerated; a clock rate that is present must be a positive number.
    public var clockRate: UInt32?
    /// Encoding parameters, for example the channel count for audio.
    public var encodingParameters: String?

    /// Creates an RTP map.
    ///
    /// - Parameters:
    ///   - payloadType: The payload type (0–127).
    ///   - encodingName: The encoding name.
    ///   - clockRate: The clock rate in Hz.
    ///   - encodingParameters: Optional encoding parameters.
    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32?, encodingParameters: String? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.encodingParameters = encodingParameters
    }

    /// Parses the value of an `a=rtpmap` attribute (the text after `rtpmap:`),
    /// returning `nil` if it is malformed.
    public init?(attributeValue: String) {
        guard let map = SDPRTPMap.parse(ArraySlice(attributeValue.utf8)) else { return nil }
        self = map
    }

    /// The attribute value (the text after `a=rtpmap:`).
    public var attributeValue: String {
        var text = "\(self.payloadType) \(self.encodingName)"
        guard let clockRate = self.clockRate else { return text }
        text += "/\(clockRate)"
        if let parameters = self.encodingParameters {
            text += "/\(parameters)"
        }
        return text
    }

    /// The attribute for this RTP map.
    public var attribute: SDPAttribute {
        SDPAttribute(name: "rtpmap", value: self.attributeValue)
    }

    /// Parses `<pt> <name>/<rate>[/<params>]`.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPRTPMap? {
        guard let space = value.firstIndex(of: SDPSyntax.space),
            let payloadType = SDPSyntax.decimal(value[value.startIndex..<space], as: UInt8.self),
            payloadType <= 127
        else { return nil }
        let parts = value[(space + 1)...].split(separator: SDPSyntax.slash, omittingEmptySubsequences: false)
        guard parts.count <= 3, SDPSyntax.isToken(parts[0]) else { return nil }
        guard parts.count > 1 else {
            return SDPRTPMap(payloadType: payloadType, encodingName: SDPSyntax.string(parts[0]), clockRate: nil)
        }
        guard let clockRate = SDPSyntax.decimal(parts[1], as: UInt32.self), clockRate > 0 else { return nil }
        var parameters: String?
        if parts.count == 3 {
            guard SDPSyntax.isToken(parts[2]) else { return nil }
            parameters = SDPSyntax.string(parts[2])
        }
        return SDPRTPMap(
            payloadType: payloadType,
            encodingName: SDPSyntax.string(parts[0]),
            clockRate: clockRate,
            encodingParameters: parameters
        )
    }
}

// MARK: - SDPRTCP

/// An `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` attribute
/// (RFC 3605).
public struct SDPRTCP: Sendable, Hashable {
    /// The RTCP port.
    public var port: UInt16
    /// The optional RTCP connection address.
    public var connection: SDPConnection?

    /// Creates an RTCP attribute.
    ///
    /// - Parameters:
    ///   - port: The RTCP port.
    ///   - connection: The optional RTCP address.
    public init(port: UInt16, connection: SDPConnection? = nil) {
        self.port = port
        self.connection = connection
    }

    /// Parses the value of an `a=rtcp` attribute, returning `nil` if malformed.
    public init?(attributeValue: String) {
        guard let rtcp = SDPRTCP.parse(ArraySlice(attributeValue.utf8)) else { return nil }
        self = rtcp
    }

    /// The attribute value (the text after `a=rtcp:`).
    public var attributeValue: String {
        if let connection = self.connection {
            return "\(self.port) \(connection.lineValue)"
        }
        return "\(self.port)"
    }

    /// The attribute for this RTCP description.
    public var attribute: SDPAttribute {
        SDPAttribute(name: "rtcp", value: self.attributeValue)
    }

    /// Parses `<port>` or `<port> <nettype> <addrtype> <address>`.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPRTCP? {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        guard fields.count == 1 || fields.count == 4,
            let port = SDPSyntax.decimal(fields[0], as: UInt16.self)
        else { return nil }
        guard fields.count == 4 else { return SDPRTCP(port: port) }
        guard let connection = SDPConnection.parse(networkType: fields[1], addressType: fields[2], address: fields[3])
        else { return nil }
        return SDPRTCP(port: port, connection: connection)
    }
}
