import TollgateConfig

extension SIPProxy {
    /// Why new routes cannot be taken while the gateway runs.
    public struct RoutingRefusal: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Takes new routes and a new fallback (a reload); calls in progress keep their targets, new
    /// calls follow the new routes. Routes may name only the trunks the gateway runs with: a new
    /// trunk needs a restart. Must run on the event loop.
    public func replaceRouting(routes: [RouteRule], fallback: FallbackConfig?) throws(RoutingRefusal) {
        let known = Set(settings.trunks.map(\.name))
        let named = Set(routes.flatMap(\.trunks) + (fallback?.trunks ?? []))
        let unknown = named.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw RoutingRefusal(description: "routes name trunks the running gateway does not have (\(unknown.joined(separator: ", "))): "
                                 + "a new trunk takes effect at the next restart")
        }
        settings.config.routes = routes
        settings.config.fallback = fallback
    }
}
