import Metrics
import SIPCore
import TollgateFraud
import TollgateModel

/// The gateway's counters (swift-metrics): messages in and out per zone and method, malformed
/// messages, events per kind, absorbed retransmissions; gauges for transactions and dialogs.
/// Counter objects are made once per label set and reused.
final class GatewayMetrics {
    private var inbound: [Key: Counter] = [:]
    private var outbound: [Key: Counter] = [:]
    private var events: [EventKey: Counter] = [:]
    private var malformedCounters: [GatewayZone: Counter] = [:]
    private let retransmissions = Counter(label: "tollgate_sip_retransmissions_absorbed_total")
    /// Keep-alives (CR and LF only; counted by the socket-reading thread too).
    let keepAlives = Counter(label: "tollgate_sip_keepalives_total")
    private let serverTransactions = Gauge(label: "tollgate_sip_server_transactions")
    private let clientTransactions = Gauge(label: "tollgate_sip_client_transactions")
    private let earlyDialogs = Gauge(label: "tollgate_dialogs", dimensions: [("state", "early")])
    private let confirmedDialogs = Gauge(label: "tollgate_dialogs", dimensions: [("state", "confirmed")])
    private var trunkGauges: [String: Gauge] = [:]
    private var callCounters: [CallDetailRecord.Disposition: Counter] = [:]
    /// Packets refused before parsing (read by the socket-reading thread too: a counter is thread-safe).
    let refusedPackets = Counter(label: "tollgate_shield_refused_packets_total")
    private let bans = Counter(label: "tollgate_shield_bans_total")
    private let trackedSources = Gauge(label: "tollgate_shield_tracked_sources")
    private let activeBans = Gauge(label: "tollgate_shield_active_bans")

    /// What a counter is kept for: the zone and the method, or the status class of a response.
    private struct Key: Hashable {
        var zone: GatewayZone
        var method: SIPMethod?
        var statusClass: Int
    }

    private static func key(_ message: SIPMessage, _ zone: GatewayZone) -> Key {
        Key(zone: zone, method: message.method, statusClass: (message.statusCode ?? 0) / 100)
    }

    private static func counter(_ label: String, _ key: Key) -> Counter {
        let type = key.method?.token ?? "\(key.statusClass)xx"
        return Counter(label: label, dimensions: [("zone", key.zone.rawValue), ("type", type)])
    }

    func received(_ message: SIPMessage, zone: GatewayZone) {
        let key = Self.key(message, zone)
        if let counter = inbound[key] { counter.increment(); return }
        let counter = Self.counter("tollgate_sip_messages_in_total", key)
        inbound[key] = counter
        counter.increment()
    }

    func sent(_ message: SIPMessage, zone: GatewayZone) {
        let key = Self.key(message, zone)
        if let counter = outbound[key] { counter.increment(); return }
        let counter = Self.counter("tollgate_sip_messages_out_total", key)
        outbound[key] = counter
        counter.increment()
    }

    /// A call ended and its CDR was handed to the store.
    /// A call the gateway ended itself (BYE to both sides), by the rule that decided it.
    func callHungUpByGateway(rule: String) {
        Counter(label: "tollgate_calls_ended_by_gateway_total", dimensions: [("rule", rule)]).increment()
    }

    func callEnded(_ disposition: CallDetailRecord.Disposition) {
        if let counter = callCounters[disposition] { counter.increment(); return }
        let counter = Counter(label: "tollgate_calls_total", dimensions: [("disposition", disposition.rawValue)])
        callCounters[disposition] = counter
        counter.increment()
    }

    func malformed(zone: GatewayZone) {
        if let counter = malformedCounters[zone] { counter.increment(); return }
        let counter = Counter(label: "tollgate_sip_malformed_total", dimensions: [("zone", zone.rawValue)])
        malformedCounters[zone] = counter
        counter.increment()
    }

    /// An event's counter: by kind and by the rule that decided it (drops and bans by rule).
    struct EventKey: Hashable {
        var kind: GatewayEvent.Kind
        var rule: String
    }

    func event(_ kind: GatewayEvent.Kind, rule: String) {
        let key = EventKey(kind: kind, rule: rule)
        if let counter = events[key] { counter.increment(); return }
        let counter = Counter(label: "tollgate_gateway_events_total", dimensions: [("kind", kind.rawValue), ("rule", rule)])
        events[key] = counter
        counter.increment()
    }

    /// A packet refused before parsing (banned or denied source).
    func refused() { refusedPackets.increment() }

    func banned() { bans.increment() }

    func record(trackedSources sources: Int, activeBans active: Int) {
        trackedSources.record(sources)
        activeBans.record(active)
    }

    func retransmissionAbsorbed() { retransmissions.increment() }

    func keepAlive() { keepAlives.increment() }

    func record(serverTransactions servers: Int, clientTransactions clients: Int, early: Int, confirmed: Int) {
        serverTransactions.record(servers)
        clientTransactions.record(clients)
        earlyDialogs.record(early)
        confirmedDialogs.record(confirmed)
    }

    func trunk(_ name: String, up: Bool) {
        let gauge = trunkGauges[name] ?? Gauge(label: "tollgate_trunk_up", dimensions: [("trunk", name)])
        trunkGauges[name] = gauge
        gauge.record(up ? 1 : 0)
    }
}
