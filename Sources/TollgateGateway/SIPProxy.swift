import Logging
import NIOCore
import SIPCore
import SIPTransport
import TollgateConfig

/// The transaction-stateful proxy at the heart of the gateway (RFC 3261 §16, §17).
///
/// One instance owns all transactions and dialogs and runs on one event loop: the transport
/// delivers packets with ``receive(_:)`` and the proxy answers through its ``SIPOutbound``.
/// The path is one-way — bytes → message → validation → admission → policies → transaction →
/// route → bytes — and every drop or reject produces a ``GatewayEvent``.
///
/// The class is confined to its event loop (hence `@unchecked Sendable`): every entry point must be
/// called on `eventLoop`, and all state changes happen there, like a SwiftNIO channel handler's.
public final class SIPProxy: @unchecked Sendable {
    let settings: ProxySettings
    let eventLoop: EventLoop
    let outbound: SIPOutbound
    var logger: Logger
    let metrics: GatewayMetrics
    /// The policy chain every inbound message and every response runs through.
    public var policies: PolicyChain
    /// Receives every event; runs on the event loop, must not block.
    public var onEvent: ((GatewayEvent) -> Void)?

    var serverTransactions: [ServerTransactionKey: ServerTransaction] = [:]
    var clientTransactions: [ClientTransactionKey: ClientTransaction] = [:]
    let dialogs = DialogTable()
    let trunkHealth: TrunkHealth
    let timers: TimerWheel
    var branchCounter: UInt64 = 0
    let branchSalt: String
    let listenerZones: [Int: GatewayZone]
    let pbxAddress: String
    let stripHeaderPrefixes: [String]
    let stripHeaderNames: Set<String>

    /// Base retransmission interval (T1), longest interval (T2) and the 64·T1 transaction timeout.
    var t1: TimeAmount = .milliseconds(500)
    var t2: TimeAmount = .seconds(4)
    var t4: TimeAmount = .seconds(5)
    var transactionTimeout: TimeAmount { .nanoseconds(t1.nanoseconds * 64) }

    public init(settings: ProxySettings, eventLoop: EventLoop, outbound: SIPOutbound, logger: Logger, policies: PolicyChain = PolicyChain()) {
        self.settings = settings
        self.eventLoop = eventLoop
        self.outbound = outbound
        self.logger = logger
        self.policies = policies
        self.metrics = GatewayMetrics()
        self.trunkHealth = TrunkHealth(trunks: settings.trunks.map(\.name))
        self.timers = TimerWheel(eventLoop: eventLoop)
        timers.start()
        self.branchSalt = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        self.listenerZones = Dictionary(uniqueKeysWithValues: settings.listeners.map { ($0.spec.id, $0.zone) })
        self.pbxAddress = settings.pbx.ipAddress
        let strip = settings.config.topologyHiding.stripHeaders.map { $0.lowercased() }
        self.stripHeaderPrefixes = strip.filter { $0.hasSuffix("*") }.map { String($0.dropLast()) }
        self.stripHeaderNames = Set(strip.filter { !$0.hasSuffix("*") })
    }

    /// Stops the timers; the proxy does nothing more after this.
    public func stop() { timers.stop() }

    /// Counts of what the proxy holds now.
    public var snapshot: (serverTransactions: Int, clientTransactions: Int, earlyDialogs: Int, confirmedDialogs: Int) {
        (serverTransactions.count, clientTransactions.count, dialogs.early, dialogs.confirmed)
    }

    /// The dialogs in progress.
    public var activeDialogs: [DialogInfo] { dialogs.dialogs.values.flatMap { $0 } }

    /// Whether a trunk is up now.
    public func isTrunkUp(_ name: String) -> Bool { trunkHealth.isUp(name) }

    // MARK: - Inbound

    /// Handles one framed packet. Must run on the event loop.
    public func receive(_ packet: SIPInboundPacket) {
        let zone = classify(packet.source, listener: packet.listener)
        let message: SIPMessage
        do {
            message = try SIPMessage(parsing: packet.bytes, limits: SIPParserLimits(maximumMessageSize: settings.config.limits.maxMessageSize))
        } catch {
            metrics.malformed(zone: zone)
            emit(.malformed, source: packet.source, rule: error.rule, detail: error.description)
            return
        }
        metrics.received(message, zone: zone)
        if message.isRequest {
            handleRequest(message, from: packet.source, listener: packet.listener, zone: zone)
        } else {
            handleResponse(message, from: packet.source, zone: zone)
        }
    }

    func classify(_ source: SIPPeer, listener: Int) -> GatewayZone {
        if listenerZones[listener] == .internal { return .internal }
        return source.ipAddress == pbxAddress ? .internal : .external
    }

    /// The trunk whose allowed source ranges hold this address.
    func trunk(forSource address: String) -> String? {
        settings.trunks.first { trunk in trunk.allowedSources.contains { $0.contains(address) } }?.name
    }

    func emit(_ kind: GatewayEvent.Kind, source: SIPPeer, rule: String, detail: String) {
        metrics.event(kind)
        let event = GatewayEvent(kind: kind, source: source.ipAddress, rule: rule, detail: detail)
        logger.debug("gateway event", metadata: ["kind": "\(kind.rawValue)", "source": "\(source)", "rule": "\(rule)", "detail": "\(detail)"])
        onEvent?(event)
    }

    // MARK: - Sending

    func send(_ message: SIPMessage, to peer: SIPPeer, from listener: Int?) {
        let bytes = message.serialized()
        metrics.sent(message, zone: zoneOf(peer))
        outbound.send(bytes, to: peer, from: listener)
    }

    func sendBytes(_ bytes: [UInt8], to peer: SIPPeer, from listener: Int?) {
        outbound.send(bytes, to: peer, from: listener)
    }

    func zoneOf(_ peer: SIPPeer) -> GatewayZone { peer.ipAddress == pbxAddress ? .internal : .external }

    /// Answers a request statelessly (no transaction), e.g. 400 for a request that failed validation.
    func replyStatelessly(_ request: SIPMessage, status: Int, to peer: SIPPeer, listener: Int, extraHeaders: [(SIPHeaderName, String)] = []) {
        guard request.method != .ack else { return }
        var response = request.makeResponse(status: status, reason: SIPStatus.reasonPhrase(for: status), toTag: status > 100 ? localTag() : nil)
        for (name, value) in extraHeaders { response.insertHeader(name, value, at: response.headerCount - 1) }
        send(response, to: peer, from: listener)
    }

    func localTag() -> String {
        branchCounter &+= 1
        return "tg" + String(branchCounter, radix: 36) + branchSalt
    }

    func newBranch() -> String {
        branchCounter &+= 1
        return SIPVia.magicCookie + "tg" + String(branchCounter, radix: 36) + "." + branchSalt
    }

    /// The listener to send from towards a zone and transport, and its spec.
    func listener(towards zone: GatewayZone, transport: SIPTransportProtocol) -> SIPListenerSpec? {
        settings.listeners.first { $0.zone == zone && $0.spec.transport == transport }?.spec
            ?? settings.listeners.first { $0.spec.transport == transport }?.spec
    }

    func listenerSpec(_ id: Int) -> SIPListenerSpec? { settings.listeners.first { $0.spec.id == id }?.spec }
}
