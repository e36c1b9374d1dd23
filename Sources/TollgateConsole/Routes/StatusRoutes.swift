import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// The status page (`/`) and `GET /api/v1/status`: the running gateway (listeners, trunks,
/// registrations, transactions, dialogs), bans, suspended accounts, today's calls, and charts of
/// the last 24 hours.
extension RouteTable {
    mutating func addStatus() {
        let console = self.console

        page(.get, "/", .role(.viewer)) { _, context in
            let summary = try await console.statusSummary()
            let charts = try await console.charts()
            let trunks = (summary.gateway?.trunksUp ?? [:]).sorted { $0.key < $1.key }.map { name, up in
                ["name": name, "up": up, "registration": summary.gateway?.registrations?[name]?.state ?? "—"] as [String: Any]
            }
            let content: [String: Any] = [
                "divertOn": summary.divert.on, "canDivert": console.config.fallback != nil,
                "divertTo": console.config.fallback.map(DivertSwitch.destination) ?? "",
                "running": summary.gateway != nil, "summary": summary, "trunks": trunks, "listeners": console.listenerNames,
                "nodes": summary.nodes.map { node in
                    ["name": node.name, "live": node.live, "calls": node.activeCalls, "version": node.version,
                     "seen": ConsoleFormat.time(node.lastSeen), "listeners": node.listeners.joined(separator: " ")] as [String: Any]
                },
                "callsChart": charts.calls, "attacksChart": charts.attacks, "topSources": charts.topSources,
            ]
            return console.pages.respond("status", PageModel(title: "Status", caller: context.caller, content: content, current: "/"))
        }

        api(.get, "/api/v1/status", .role(.viewer)) { _, _ in
            JSONAnswer.body(try await console.statusSummary())
        }
    }
}

/// What the status page and `/api/v1/status` report.
struct StatusSummary: Encodable {
    /// The running gateway's state; absent when the console runs without one.
    var gateway: GatewayStatus?
    var callsInProgress: Int
    var activeBans: Int
    var suspendedAccounts: Int
    var callsToday: Int
    var eventsLastHour: Int
    /// Fraud alarms of the last 7 days nobody has acknowledged.
    var openAlarms: Int
    /// "Divert now".
    var divert: DivertView
    /// The gateways sharing the store (one, unless several nodes share a PostgreSQL store).
    var nodes: [ClusterNodeView]
    var time: Date
}

extension Console {
    /// The listeners as `udp:203.0.113.5:5060 (external)`.
    var listenerNames: [String] { config.listeners.map { "\($0.endpoint) (\($0.zone.rawValue))" } }

    func statusSummary() async throws(ConsoleError) -> StatusSummary {
        let now = now()
        let gateway = await status()
        do {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return StatusSummary(
                gateway: gateway, callsInProgress: gateway?.confirmedDialogs ?? 0,
                activeBans: try await store.activeBans(at: now).count, suspendedAccounts: try await store.activeSuspensions().count,
                callsToday: try await store.cdrCount(CDRQuery(since: calendar.startOfDay(for: now))),
                eventsLastHour: try await store.eventCount(EventQuery(since: now.addingTimeInterval(-3600))),
                openAlarms: try await unacknowledgedAlarms(),
                divert: DivertView(state: try await store.divert(), destination: config.fallback.map(DivertSwitch.destination)),
                nodes: try await store.nodes().map { ClusterNodeView($0, at: now, timeout: config.cluster.nodeTimeout) }, time: now)
        } catch {
            throw .storeUnavailable
        }
    }

    /// The newest rows the 24-hour charts read at most.
    static let chartRows = 20_000

    /// Calls per hour by destination class, attacks per hour by kind, and the top sources of events.
    func charts() async throws(ConsoleError) -> (calls: String, attacks: String, topSources: [[String: Any]]) {
        let now = now()
        let since = now.addingTimeInterval(-24 * 3600)
        let calls: [CallDetailRecord]
        let events: [SecurityEvent]
        do {
            calls = try await store.cdrs(CDRQuery(since: since, limit: Self.chartRows))
            events = try await store.events(EventQuery(since: since, limit: Self.chartRows))
        } catch {
            throw .storeUnavailable
        }
        let hourStart = (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600
        func bucket(_ date: Date) -> Int { 23 - Int((hourStart - (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600) / 3600) }
        func bars(_ items: [(Date, String)]) -> [BarChart.Bar] {
            var bars = (0..<24).map { index in
                BarChart.Bar(label: String(format: "%02d:00", Int((hourStart - Double(23 - index) * 3600).truncatingRemainder(dividingBy: 86_400) / 3600)),
                             values: [:])
            }
            for (date, name) in items {
                let index = bucket(date)
                guard bars.indices.contains(index) else { continue }
                bars[index].values[name, default: 0] += 1
            }
            return bars
        }
        let callItems = calls.map { ($0.start, $0.destinationClass ?? "unclassified") }
        let callSeries = Array(Set(callItems.map(\.1))).sorted()
        // Attacks: what Shield and fraud control flagged (warnings and worse), not the inventory's news.
        let attackItems = events.filter { $0.severity >= .warning }.map { ($0.time, $0.kind) }
        let attackSeries = Array(Set(attackItems.map(\.1))).sorted()
        var bySource: [String: Int] = [:]
        for event in events { bySource[event.source, default: 0] += 1 }
        let top = bySource.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
        return (BarChart(title: "Calls per hour by destination class", bars: bars(callItems), series: callSeries).svg(),
                BarChart(title: "Attacks per hour by kind", bars: bars(attackItems), series: attackSeries).svg(),
                top.map { ["source": $0.key, "count": $0.value] })
    }
}
