extension TollgateConfig {
    /// Applies the `serve` command-line flags on top of the file (or of ``init()`` when there is none).
    ///
    /// - `pbx`: replaces the PBX's endpoint (its name is kept).
    /// - `listen` (non-empty): replaces the external listeners with one external listener per
    ///   endpoint. When `pbx` is given too, the internal listeners are dropped as well: the same
    ///   listeners then also serve the internal side (see ``listeners(serving:)``). Admin listeners
    ///   are kept.
    /// - `trunks` (non-empty): replaces the trunks with `trunk1`, `trunk2`, … whose allowed sources
    ///   are their own hosts. Routes and the fallback keep only trunk names that still exist; a
    ///   route left without trunks is dropped; if no route remains, a default route `""` to all the
    ///   new trunks is added; a fallback left without trunks uses all the new trunks.
    /// - `remotePhones`: `true` enables remote phones; `false` leaves the file's setting.
    /// - `console`: sets the console address.
    ///
    /// Call ``validate()`` afterwards.
    public mutating func applyOverrides(
        pbx: Endpoint?,
        listen: [Endpoint],
        trunks: [Endpoint],
        remotePhones: Bool,
        console: Endpoint?
    ) {
        if let pbx {
            self.pbx.endpoint = pbx
        }
        if !listen.isEmpty {
            let kept = listeners.filter { listener in
                listener.zone == .admin || (listener.zone == .internal && pbx == nil)
            }
            listeners = listen.map { ListenerConfig(zone: .external, endpoint: $0) } + kept
        }
        if !trunks.isEmpty {
            let replacements = trunks.enumerated().map { index, endpoint in
                TrunkConfig(name: "trunk\(index + 1)", endpoint: endpoint)
            }
            let names = replacements.map(\.name)
            let known = Set(names)
            self.trunks = replacements
            routes = routes.compactMap { rule in
                var rule = rule
                rule.trunks = rule.trunks.filter(known.contains)
                return rule.trunks.isEmpty ? nil : rule
            }
            if routes.isEmpty {
                routes = [RouteRule(name: "default", prefix: "", trunks: names)]
            }
            if var fallback {
                fallback.trunks = fallback.trunks.filter(known.contains)
                if fallback.trunks.isEmpty { fallback.trunks = names }
                self.fallback = fallback
            }
        }
        if remotePhones {
            self.remotePhones = true
        }
        if let console {
            if self.console == nil { self.console = ConsoleConfig(listen: console) } else { self.console?.listen = console }
        }
    }

    /// The listeners that carry traffic for `zone`. For `internal`, when no listener is in the
    /// internal zone, the external listeners also serve the PBX side (the quick-start shape).
    public func listeners(serving zone: Zone) -> [ListenerConfig] {
        let own = listeners.filter { $0.zone == zone }
        if zone == .internal, own.isEmpty {
            return listeners.filter { $0.zone == .external }
        }
        return own
    }
}
