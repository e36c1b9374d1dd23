extension TollgateConfig {
    /// Which route rule and trunks a dialled number takes.
    ///
    /// Spaces, `-`, `(` and `)` are removed from `number` first; what remains must be digits with
    /// an optional leading `+`, or nothing matches. The rule with the longest matching prefix wins
    /// (`+` is compared like a digit, so `+44` does not match `0044…`; `""` matches every number).
    /// The trunks are the rule's, in the rule's order of preference, skipping unknown names.
    ///
    /// - Returns: The rule and its trunks, or `nil` when no rule matches.
    public func route(for number: String) -> (rule: RouteRule, trunks: [TrunkConfig])? {
        let normalized = ConfigSyntax.normalizeNumber(number)
        guard ConfigSyntax.isDialNumber(normalized) else { return nil }
        var best: RouteRule?
        for rule in routes where normalized.hasPrefix(rule.prefix) {
            if rule.prefix.count > (best?.prefix.count ?? -1) {
                best = rule
            }
        }
        guard let best else { return nil }
        return (best, best.trunks.compactMap(trunk(named:)))
    }

    /// The trunks a call to `number` tries, in the order the gateway tries them: by priority (lower
    /// first), then as the route lists them. Empty when no route matches.
    public func trunksInOrder(for number: String) -> [TrunkConfig] {
        guard let (_, trunks) = route(for: number) else { return [] }
        return trunks.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
    }

    /// The trunk called `name`, if any.
    public func trunk(named name: String) -> TrunkConfig? {
        trunks.first { $0.name == name }
    }

    /// The first trunk whose allowed sources contain `address` (textual IPv4 or IPv6), if any.
    public func trunk(acceptingSource address: String) -> TrunkConfig? {
        trunks.first { $0.accepts(source: address) }
    }
}
