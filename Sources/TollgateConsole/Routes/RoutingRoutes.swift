import Foundation
import Hummingbird
import TollgateConfig
import TollgateModel

/// The routes and trunks in force, with each trunk's health and registration:
/// `/routes`, `GET /api/v1/routes`, `GET /api/v1/trunks`. Credentials are never shown.
extension RouteTable {
    mutating func addRouting() {
        let console = self.console

        page(.get, "/routes", .role(.viewer)) { _, context in
            let trunks = await console.trunkViews()
            let routes = console.routeViews()
            let content: [String: Any] = [
                "routes": routes.map { ["name": $0.name ?? "", "prefix": $0.prefix.isEmpty ? "(any)" : $0.prefix, "trunks": $0.trunks.joined(separator: ", "),
                                        "strip": $0.stripDigits, "prepend": $0.prependDigits] as [String: Any] },
                "trunks": trunks.map { ["name": $0.name, "endpoint": $0.endpoint, "priority": $0.priority, "weight": $0.weight,
                                        "up": $0.up ?? false, "known": $0.up != nil, "registration": $0.registration ?? "—",
                                        "sources": $0.allowedSources.joined(separator: ", ")] as [String: Any] },
                "fallback": console.config.fallback.map { ["\($0.target) over \($0.trunks.joined(separator: ", "))"] } ?? [],
            ]
            return console.pages.respond("routes", PageModel(title: "Routes and trunks", caller: context.caller, content: content, current: "/routes"))
        }

        api(.get, "/api/v1/routes", .role(.viewer)) { _, _ in
            JSONAnswer.body(Listing(items: console.routeViews(), next: nil))
        }

        api(.get, "/api/v1/trunks", .role(.viewer)) { _, _ in
            JSONAnswer.body(Listing(items: await console.trunkViews(), next: nil))
        }
    }
}

/// A route as the console shows it.
struct RouteView: Encodable {
    var name: String?
    var prefix: String
    var trunks: [String]
    var stripDigits: Int
    var prependDigits: String
}

/// A trunk as the console shows it: never its credentials.
struct TrunkView: Encodable {
    var name: String
    var endpoint: String
    var priority: Int
    var weight: Int
    var allowedSources: [String]
    /// Whether its probes answer; absent without a running gateway.
    var up: Bool?
    var registration: String?
    var registers: Bool
}

extension Console {
    func routeViews() -> [RouteView] {
        config.routes.map { RouteView(name: $0.name, prefix: $0.prefix, trunks: $0.trunks, stripDigits: $0.stripDigits, prependDigits: $0.prependDigits) }
    }

    func trunkViews() async -> [TrunkView] {
        let gateway = await status()
        return config.trunks.map { trunk in
            TrunkView(name: trunk.name, endpoint: trunk.endpoint.description, priority: trunk.priority, weight: trunk.weight,
                      allowedSources: trunk.allowedSources.map(\.description), up: gateway?.trunksUp[trunk.name],
                      registration: gateway?.registrations?[trunk.name]?.state, registers: trunk.credentials?.register ?? false)
        }
    }
}
