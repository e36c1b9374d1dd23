/// A media description: an `m=` line and the `i=`, `c=`, `b=`, `k=` and `a=`
/// lines that follow it (RFC 4566 §5.14).
public struct SDPMedia: Sendable, Hashable {
    /// The media type, for example `audio`, `video`, `application`.
    public var type: String
    /// The transport port (0 rejects the stream).
    public var port: UInt16
    /// The number of ports from `<port>/<count>`, or `nil` when absent.
    public var portCount: Int?
    /// The transport protocol, for example `RTP/AVP`, `RTP/SAVP`,
    /// `UDP/TLS/RTP/SAVPF`.
    public var proto: String
    /// The media formats; RTP payload type numbers for RTP protocols.
    public var formats: [String]
    /// The media title (`i=`).
    public var information: String?
    /// Media-level connection data (`c=`), overriding the session level.
    public var connection: SDPConnection?
    /// Media-level bandwidth lines (`b=`).
    public var bandwidths: [SDPBandwidth]
    /// The media-level encryption key line (`k=`), kept raw.
    public var encryptionKey: String?
    /// Media-level attributes (`a=`), in order.
    public var attributes: [SDPAttribute]

    /// Creates a media description.
    ///
    /// - Parameters:
    ///   - type: The media type, such as `audio`.
    ///   - port: The transport port.
    ///   - portCount: The optional number of ports.
    ///   - proto: The transport protocol, such as `RTP/AVP`.
    ///   - formats: The media formats (at least one).
    ///   - information: The optional media title.
    ///   - connection: Optional media-level connection data.
    ///   - bandwidths: Media-level bandwidth lines.
    ///   - encryptionKey: The optional raw `k=` value.
    ///   - attributes: Media-level attributes.
    public init(
        type: String,
        port: UInt16,
        portCount: Int? = nil,
        proto: String,
        formats: [String],
        information: String? = nil,
        connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [],
        encryptionKey: String? = nil,
        attributes: [SDPAttribute] = []
    ) {
        self.type = type
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.information = information
        self.connection = connection
        self.bandwidths = bandwidths
        self.encryptionKey = encryptionKey
        self.attributes = attributes
    }

    /// The text after `m=`.
    public var lineValue: String {
        var text = "\(self.type) \(self.port)"
        if let count = self.portCount {
            text += "/\(count)"
        }
        text += " \(self.proto)"
        for format in self.formats {
            text += " \(format)"
        }
        return text
    }

    /// Whether the transport protocol is RTP based (contains `RTP/`), in which
    /// case the formats are RTP payload types.
    public var isRTP: Bool {
        Self.isRTP(proto: self.proto.utf8)
    }

    // MARK: Attributes

    /// All attributes with the given name, in order.
    public func attributes(named name: String) -> [SDPAttribute] {
        self.attributes.filter { $0.name == name }
    }

    /// The first attribute with the given name, if any.
    public func firstAttribute(named name: String) -> SDPAttribute? {
        self.attributes.first { $0.name == name }
    }

    /// Removes every attribute with the given name.
    public mutating func removeAttributes(named name: String) {
        self.attributes.removeAll { $0.name == name }
    }

    /// The well-formed `a=rtpmap` attributes, in order.
    public var rtpMaps: [SDPRTPMap] {
        self.attributes(named: "rtpmap").compactMap { $0.value.flatMap(SDPRTPMap.init(attributeValue:)) }
    }

    /// The RTP map for a payload type, if present.
    public func rtpMap(forPayloadType payloadType: UInt8) -> SDPRTPMap? {
        self.rtpMaps.first { $0.payloadType == payloadType }
    }

    /// The format-specific parameters (`a=fmtp:<format> <parameters>`) for a
    /// format, if present.
    public func formatParameters(for format: String) -> String? {
        for attribute in self.attributes where attribute.name == "fmtp" {
            guard let value = attribute.value else { continue }
            let bytes = ArraySlice(value.utf8)
            let end = bytes.firstIndex(of: SDPSyntax.space) ?? bytes.endIndex
            if bytes[bytes.startIndex..<end].elementsEqual(format.utf8) {
                return end == bytes.endIndex ? "" : SDPSyntax.string(bytes[(end + 1)...])
            }
        }
        return nil
    }

    /// The well-formed `a=crypto` attributes (RFC 4568), in order.
    public var cryptos: [SDPCrypto] {
        self.attributes(named: "crypto").compactMap { $0.value.flatMap(SDPCrypto.init(attributeValue:)) }
    }

    /// Replaces every `a=crypto` attribute with `cryptos`, placing them where
    /// the first old one was (or at the end if there was none).
    public mutating func replaceCryptos(with cryptos: [SDPCrypto]) {
        self.attributes.replaceAll(where: { $0.name == "crypto" }, with: cryptos.map(\.attribute))
    }

    // MARK: Direction

    /// The direction attribute present at the media level, if any.
    ///
    /// Setting it replaces every direction attribute of this media section;
    /// setting `nil` removes them.
    public var explicitDirection: SDPDirection? {
        get {
            self.attributes.lazy.compactMap { $0.value == nil ? SDPDirection(rawValue: $0.name) : nil }.first
        }
        set {
            let replacement = newValue.map { [SDPAttribute(name: $0.rawValue)] } ?? []
            self.attributes.replaceAll(where: { SDPDirection.isDirection($0.name) }, with: replacement)
        }
    }

    /// The media-level direction, or `.sendrecv` when this section has none.
    ///
    /// This looks at the media level only; use
    /// ``SDPSession/effectiveDirection(of:)`` to fall back to a session-level
    /// direction attribute first.
    public var direction: SDPDirection {
        self.explicitDirection ?? .sendrecv
    }

    /// Sets the media-level direction attribute, replacing any existing one.
    public mutating func setDirection(_ direction: SDPDirection) {
        self.explicitDirection = direction
    }

    // MARK: RTCP and connection

    /// The `a=rtcp` attribute (RFC 3605), if present and well formed.
    ///
    /// Setting it replaces every `a=rtcp` attribute; setting `nil` removes them.
    public var rtcp: SDPRTCP? {
        get {
            self.firstAttribute(named: "rtcp")?.value.flatMap(SDPRTCP.init(attributeValue:))
        }
        set {
            let replacement = newValue.map { [$0.attribute] } ?? []
            self.attributes.replaceAll(where: { $0.name == "rtcp" }, with: replacement)
        }
    }

    /// Replaces the media-level connection address (adding a media-level
    /// `c=` line if there was none) and optionally the media port, as a media
    /// relay does when anchoring a stream.
    ///
    /// - Parameters:
    ///   - address: The new connection address.
    ///   - addressType: `IP4` or `IP6`.
    ///   - port: The new port, or `nil` to keep the current one.
    public mutating func replaceConnection(address: String, addressType: String, port: UInt16? = nil) {
        self.connection = SDPConnection(networkType: "IN", addressType: addressType, address: address)
        if let port {
            self.port = port
        }
    }

    // MARK: Parsing

    /// Whether a protocol string is RTP based (contains `RTP/`).
    static func isRTP(proto: some Collection<UInt8>) -> Bool {
        let bytes = Array(proto)
        let needle = Array("RTP/".utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// Parses `<media> <port>[/<count>] <proto> <fmt> [<fmt> ...]` (single
    /// spaces), returning a media description without any other lines.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPMedia? {
        let fields = value.split(separator: SDPSyntax.space, omittingEmptySubsequences: false)
        guard fields.count >= 4,
            !fields[0].isEmpty,
            fields[0].allSatisfy(SDPSyntax.isAlphanumeric)
        else { return nil }

        // <port>[/<number of ports>]
        let portField = fields[1]
        let portEnd = portField.firstIndex(of: SDPSyntax.slash) ?? portField.endIndex
        guard let port = SDPSyntax.decimal(portField[portField.startIndex..<portEnd], as: UInt16.self) else {
            return nil
        }
        var portCount: Int?
        if portEnd != portField.endIndex {
            guard let count = SDPSyntax.decimal(portField[(portEnd + 1)...], as: UInt16.self), count > 0 else {
                return nil
            }
            portCount = Int(count)
        }

        // <proto>: tokens separated by '/'.
        let proto = fields[2]
        guard proto.split(separator: SDPSyntax.slash, omittingEmptySubsequences: false).allSatisfy(SDPSyntax.isToken)
        else { return nil }

        // <fmt> list: tokens, or payload types 0-127 for RTP.
        let rtp = Self.isRTP(proto: proto)
        var formats: [String] = []
        for format in fields.dropFirst(3) {
            if rtp {
                guard let payloadType = SDPSyntax.decimal(format, as: UInt8.self), payloadType <= 127 else {
                    return nil
                }
            } else {
                guard SDPSyntax.isToken(format) else { return nil }
            }
            formats.append(SDPSyntax.string(format))
        }

        return SDPMedia(
            type: SDPSyntax.string(fields[0]),
            port: port,
            portCount: portCount,
            proto: SDPSyntax.string(proto),
            formats: formats
        )
    }
}

extension Array where Element == SDPAttribute {
    /// Removes the attributes matching `predicate` and inserts `replacement`
    /// where the first removed one was, or appends it if none matched.
    mutating func replaceAll(where predicate: (SDPAttribute) -> Bool, with replacement: [SDPAttribute]) {
        let position = self.firstIndex(where: predicate) ?? self.endIndex
        var result: [SDPAttribute] = []
        result.reserveCapacity(self.count + replacement.count)
        for (index, attribute) in self.enumerated() {
            if index == position {
                result.append(contentsOf: replacement)
            }
            if !predicate(attribute) {
                result.append(attribute)
            }
        }
        if position == self.endIndex {
            result.append(contentsOf: replacement)
        }
        self = result
    }
}
