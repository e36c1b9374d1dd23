import Foundation
import Logging
import NIOCore
import SIPCore
import SIPTransport
import TollgateConfig
import TollgateFraud
import TollgateShield
import TollgateModel

/// The transaction-stateful proxy at the heart of the gateway (RFC 3261 §16, §17).
///
/// One instance owns all transactions and dialogs and runs on one event loop: the transport
/// delivers packets with ``receive(_:)`` and the proxy answers through its ``SIPOutbound``.
/// The path is one-way — bytes → message → Shield → validation → admission → transaction → call
/// hooks → route → bytes — and every drop or reject produces a ``GatewayEvent`` on the proxy's ``activity`` stream.
///
/// The class is confined to its event loop (hence `@unchecked Sendable`): every entry point must be
/// called on `eventLoop`, and all state changes happen there, like a SwiftNIO channel handler's.
public final class SIPProxy: @unchecked Sendable {
    /// What the proxy was started with; only the routes and the fallback change after (``replaceRouting(routes:fallback:)``).
    var settings: ProxySettings
    let eventLoop: EventLoop
    let outbound: SIPOutbound
    var logger: Logger
    let metrics: GatewayMetrics
    /// Where every decision is counted and published; the gateway's one ``EventStream`` is its
    /// ``GatewayEventEmitter/stream``.
    public let events: GatewayEventEmitter
    /// Shield: refuses banned sources before parsing, judges external requests, learns from the
    /// PBX's answers. `nil` runs the gateway without it.
    public var shield: ShieldEngine?
    /// The calls in progress and the hooks that take part in them.
    let calls: CallCoordinator
    /// Who watches successful exchanges (the passive inventory).
    let exchangeObservers = ExchangeObservers()
    /// Seconds since 1970; replaced in tests.
    public var clock: () -> Double {
        get { events.clock }
        set { events.clock = newValue }
    }

    var serverTransactions: [ServerTransactionKey: ServerTransaction] = [:]
    var clientTransactions: [ClientTransactionKey: ClientTransaction] = [:]
    let dialogs = DialogTable()
    let trunkHealth: TrunkHealth
    let timers: TimerWheel
    var branchCounter: UInt64 = 0
    let branchSalt: String
    /// Parses and validates inbound packets from the settings alone; the transport's reading
    /// thread may use it before handing a packet over (``receive(prepared:)``).
    public let preparer: SIPPacketPreparer
    let pbxAddress: String
    let hider: TopologyHider?
    let callIDs = CallIDMap()
    let bindings = RemotePhoneBindings()
    /// Registrations with trunks, by trunk name.
    var registrations: [String: RegistrationSlot] = [:]
    /// "Divert now": inbound INVITEs go to the fallback, not the PBX (set from the store by `DivertSyncService`).
    public var divertsInbound = false
    /// The address the outside sees for Tollgate: the first external listener's.
    let externalHost: String
    let externalHostPort: String
    /// The listeners' addresses as Route, Record-Route and Via values name them.
    let addresses: ListenerAddresses

    /// The transactions' timer values (T1, T2, T4 and the linger time).
    var transactionTimers: TransactionTimers
    var t1: TimeAmount { transactionTimers.t1 }
    var t4: TimeAmount { transactionTimers.t4 }
    var transactionTimeout: TimeAmount { transactionTimers.transactionTimeout }

    /// - Parameters:
    ///   - activity: The stream the proxy publishes everything it decides and observes on.
    public init(settings: ProxySettings, eventLoop: EventLoop, outbound: SIPOutbound, logger: Logger,
                activity: GatewayActivityStream = GatewayActivityStream()) {
        self.settings = settings
        self.eventLoop = eventLoop
        self.outbound = outbound
        self.logger = logger
        let metrics = GatewayMetrics()
        self.metrics = metrics
        self.events = GatewayEventEmitter(stream: activity, metrics: metrics, logger: logger, clock: { Date().timeIntervalSince1970 })
        self.calls = CallCoordinator(eventLoop: eventLoop)
        self.transactionTimers = TransactionTimers(linger: settings.transactionLinger)
        calls.longestCall = settings.config.fraud.maxCallDuration
        self.trunkHealth = TrunkHealth(trunks: settings.trunks.map(\.name))
        // Every trunk is in the metrics from the start (up until its probes say otherwise).
        for trunk in settings.trunks { metrics.trunk(trunk.name, up: trunkHealth.isUp(trunk.name)) }
        self.timers = TimerWheel(eventLoop: eventLoop)
        timers.start()
        self.branchSalt = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        self.preparer = SIPPacketPreparer(settings: settings)
        self.pbxAddress = settings.pbx.ipAddress
        let external = settings.listeners.first { $0.zone == .external }?.spec ?? settings.listeners.first?.spec
        let advertised = external?.advertisedHost ?? "127.0.0.1"
        self.externalHost = advertised.contains(":") ? "[\(advertised)]" : advertised
        self.externalHostPort = external?.advertisedHostPort ?? advertised
        self.addresses = ListenerAddresses(settings.listeners.map { ($0.spec, $0.zone) })
        // Room for a few seconds of transactions at thousands of calls a second, so the tables do
        // not rehash (tens of milliseconds with tens of thousands of entries) while calls wait.
        serverTransactions.reserveCapacity(Self.expectedTransactions)
        clientTransactions.reserveCapacity(Self.expectedTransactions)
        let hiding = settings.config.topologyHiding
        if hiding.enabled {
            let externalHosts = Set(settings.listeners.filter { $0.zone == .external }.map { $0.spec.advertisedHost.lowercased() })
            var internalHosts: Set<String> = [settings.pbx.ipAddress.lowercased(), settings.config.pbx.endpoint.host.lowercased()]
            for listener in settings.listeners where listener.zone == .internal { internalHosts.insert(listener.spec.advertisedHost.lowercased()) }
            internalHosts.subtract(externalHosts)
            let hider = TopologyHider(internalHosts: internalHosts, stripHeaders: hiding.stripHeaders)
            self.hider = hider
            if hiding.maskSDP { calls.add(SDPMaskingHook(hider: hider, externalHost: externalHost)) }
        } else {
            self.hider = nil
        }
    }

    /// The stream everything the proxy decides and observes is published on.
    public var activity: GatewayActivityStream { events.stream }

    /// Adds a participant to every call from now on, after those already there (SDP masking, when
    /// configured, comes first). Add CDR accounting (``CallRecordingHook``) last. Must run on the event loop.
    public func addCallHook(_ hook: any CallHook) {
        calls.add(hook)
    }

    /// Adds an observer of the exchanges relayed with success (the passive inventory). Must run on the event loop.
    public func addExchangeObserver(_ observer: any ExchangeObserver) {
        exchangeObservers.add(observer)
    }

    /// Adds a participant before every other (media anchoring, which must see each SDP as it arrived,
    /// before SDP masking rewrites it). Must run on the event loop.
    func addFirstCallHook(_ hook: any CallHook) {
        calls.add(hook, first: true)
    }

    /// How many transactions of each kind the tables hold without growing.
    static let expectedTransactions = 32_768

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
        // Banned and denied sources cost one lookup: nothing is parsed.
        if shield != nil, shieldRefuses(packet.source) { return }
        // Validated once Shield and admission let it through, as nothing else needs it before.
        handle(preparer.prepare(packet, validating: false))
    }

    /// Handles a packet already parsed and validated (by ``preparer``, on another thread). Must run
    /// on the event loop.
    public func receive(prepared: SIPPreparedPacket) {
        if shield != nil, shieldRefuses(prepared.packet.source) { return }
        handle(prepared)
    }

    private func handle(_ prepared: SIPPreparedPacket) {
        let packet = prepared.packet
        let zone = prepared.zone
        switch prepared.content {
        case .keepAlive:
            metrics.keepAlive()
        case .malformed(let error):
            metrics.malformed(zone: zone)
            emit(.malformed, source: packet.source, rule: error.rule, detail: error.description)
            if zone == .external { shieldNoteMalformed(from: packet.source, message: nil) }
        case .message(let parsed, let validated):
            metrics.received(parsed, zone: zone)
            var message = parsed
            var inside: String?
            if zone == .external, hider != nil, let callID = message.firstValue(of: .callID), let mapped = callIDs.internal(for: callID) {
                message.setHeader(.callID, mapped)
                inside = mapped
            }
            let validation = InboundValidation(preparer: preparer, message: parsed, zone: zone, done: validated, insideCallID: inside)
            if message.isRequest {
                handleRequest(message, validation: validation, from: packet.source, listener: packet.listener, zone: zone)
            } else {
                handleResponse(message, validation: validation, from: packet.source, zone: zone)
            }
        }
    }

    /// The trunk whose allowed source ranges hold this peer's address (matched as an ``IPAddress``, not as text).
    func trunk(forSource source: SIPPeer) -> String? {
        guard let address = IPAddress(source.address) else { return nil }
        return settings.trunks.first { trunk in trunk.allowedSources.containsAddress(address) }?.name
    }

    func emit(_ kind: GatewayEvent.Kind, source: SIPPeer, rule: String, detail: String, severity: ShieldFinding.Severity = .notice) {
        emit(kind, address: source.ipAddress, rule: rule, detail: detail, severity: severity)
    }

    /// Counts an event and publishes it (see ``GatewayEventEmitter/emit(_:address:rule:detail:severity:)``).
    func emit(_ kind: GatewayEvent.Kind, address: String, rule: String, detail: String, severity: ShieldFinding.Severity = .notice) {
        events.emit(kind, address: address, rule: rule, detail: detail, severity: severity)
    }

    // MARK: - Sending

    func send(_ message: SIPMessage, to peer: SIPPeer, from listener: Int?) {
        let out = outgoing(message, to: zoneOf(peer))
        metrics.sent(out, zone: zoneOf(peer))
        outbound.send(out.serialized(), to: peer, from: listener)
    }

    /// The message as it may leave towards `zone`: towards the outside, topology hidden.
    func outgoing(_ message: SIPMessage, to zone: GatewayZone) -> SIPMessage {
        guard zone == .external, let hider else { return message }
        var out = message
        hider.mask(&out, externalHost: externalHost, externalHostPort: externalHostPort, callIDs: callIDs,
                   ownRecordRoute: { self.isExternalRoute($0) })
        return out
    }

    /// Whether a Route or Record-Route value points at one of the external listeners.
    func isExternalRoute(_ value: String) -> Bool {
        guard let address = try? SIPNameAddress(parsing: value) else { return false }
        return addresses.isExternal(address.uri)
    }

    func sendBytes(_ bytes: [UInt8], to peer: SIPPeer, from listener: Int?) {
        outbound.send(bytes, to: peer, from: listener)
    }

    func zoneOf(_ peer: SIPPeer) -> GatewayZone { peer.ipAddress == pbxAddress ? .internal : .external }

    /// Sends a request or response made in this gateway (not relayed) as bytes, hidden if it goes outside.
    func sendMade(_ message: SIPMessage, to peer: SIPPeer, from listener: Int?) -> [UInt8] {
        let bytes = outgoing(message, to: zoneOf(peer)).serialized()
        metrics.sent(message, zone: zoneOf(peer))
        outbound.send(bytes, to: peer, from: listener)
        return bytes
    }

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
