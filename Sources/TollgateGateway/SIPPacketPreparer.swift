import SIPCore
import SIPTransport

/// A packet with everything that can be learned of it without the proxy's state: the zone it came
/// from, the message parsed, and the message checked against that zone's validation rules.
///
/// Preparing needs no table the proxy keeps, so it may run on another thread than the proxy: the
/// thread that reads the sockets parses and checks one datagram while the proxy's loop handles the
/// one before (see ``SIPPacketPreparer``). What the proxy decides from it is the same either way.
public struct SIPPreparedPacket: Sendable {
    /// What the bytes turned out to be.
    public enum Content: Sendable {
        /// Nothing but CR and LF: a phone's keep-alive, not a message.
        case keepAlive
        /// Bytes that are no SIP message.
        case malformed(SIPParseError)
        /// A message, with what validation made of it (the typed headers, or the first rule broken),
        /// or `nil` when it is left to the proxy (which then validates only what Shield and
        /// admission let through).
        case message(SIPMessage, Result<SIPValidatedHeaders, SIPValidationError>?)
    }

    public let packet: SIPInboundPacket
    public let zone: GatewayZone
    public let content: Content
}

/// Parses and validates inbound packets the way the proxy would, from its settings alone.
public struct SIPPacketPreparer: Sendable {
    private let listenerZones: [Int: GatewayZone]
    private let pbxAddress: String
    private let limits: SIPParserLimits
    private let validation: SIPValidationOptions
    private let internalValidation: SIPValidationOptions

    /// A preparer for a proxy started with `settings`.
    public init(settings: ProxySettings) {
        self.listenerZones = Dictionary(uniqueKeysWithValues: settings.listeners.map { ($0.spec.id, $0.zone) })
        self.pbxAddress = settings.pbx.ipAddress
        self.limits = SIPParserLimits(maximumMessageSize: settings.config.limits.maxMessageSize)
        self.validation = settings.validation
        self.internalValidation = settings.internalValidation
    }

    /// The zone a packet came from: everything on an internal listener, and the PBX's address on any.
    public func zone(of source: SIPPeer, listener: Int) -> GatewayZone {
        if listenerZones[listener] == .internal { return .internal }
        return source.ipAddress == pbxAddress ? .internal : .external
    }

    /// Parses the packet and, with `validating`, validates the message against its zone's rules
    /// (``validate(_:zone:)``).
    public func prepare(_ packet: SIPInboundPacket, validating: Bool = true) -> SIPPreparedPacket {
        let zone = zone(of: packet.source, listener: packet.listener)
        if packet.bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) {
            return SIPPreparedPacket(packet: packet, zone: zone, content: .keepAlive)
        }
        let message: SIPMessage
        do {
            message = try SIPMessage(parsing: packet.bytes, limits: limits)
        } catch {
            return SIPPreparedPacket(packet: packet, zone: zone, content: .malformed(error))
        }
        return SIPPreparedPacket(packet: packet, zone: zone, content: .message(message, validating ? validate(message, zone: zone) : nil))
    }

    /// Validates a message against its zone's rules: a response as an answer, which is not forwarded
    /// on its own Max-Forwards.
    public func validate(_ message: SIPMessage, zone: GatewayZone) -> Result<SIPValidatedHeaders, SIPValidationError> {
        var options = zone == .internal ? internalValidation : validation
        if !message.isRequest { options.forwarding = false }
        do {
            return .success(try message.validate(options))
        } catch {
            return .failure(error)
        }
    }
}
