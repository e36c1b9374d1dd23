import TollgateConfig

/// A configuration for a whole gateway in a test: one external UDP listener on 127.0.0.1:`port`,
/// the PBX on 127.0.0.20:`port + 2`, one trunk `carrier` (at `trunk`, unprobed) taking every
/// route, and no media anchoring.
enum GatewayTestConfig {
    /// - Parameters:
    ///   - trunkLines: more keys of the trunk, each on its own line.
    ///   - extra: more top-level YAML.
    static func make(port: Int, trunk: String, trunkLines: [String] = [], extra: String = "") throws -> TollgateConfig {
        let trunkKeys = trunkLines.map { "\n    \($0)" }.joined()
        return try TollgateConfig(yaml: """
            listeners:
              - zone: external
                transport: udp
                address: 127.0.0.1
                port: \(port)
            pbx:
              endpoint: udp:127.0.0.20:\(port + 2)
            trunks:
              - name: carrier
                endpoint: \(trunk)
                probe: { enabled: false }\(trunkKeys)
            routes:
              - prefix: ""
                trunks: [carrier]
            media:
              anchor: false

            """ + extra)
    }
}
