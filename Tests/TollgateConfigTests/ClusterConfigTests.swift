import Testing

@testable import TollgateConfig

@Suite("cluster and node: configuration")
struct ClusterConfigTests {
    @Test("defaults: a heartbeat every 2 s, down after 10 s, shared limits as the store decides, fail-open within 0.5 s")
    func defaults() throws {
        let config = try TollgateConfig(yaml: ConfigTestSupport.minimal)
        #expect(config.cluster == ClusterConfig())
        #expect(config.cluster.nodeName == nil && config.cluster.sharedLimits == nil)
        #expect(config.cluster.heartbeatInterval == 2 && config.cluster.nodeTimeout == 10)
        #expect(config.cluster.onDatabaseLoss == .failOpen && config.cluster.admissionTimeout == 0.5)
    }

    @Test("every key is read")
    func keys() throws {
        let config = try TollgateConfig(yaml: ConfigTestSupport.minimal + """

            node: { name: "edge-london-1" }
            cluster:
              heartbeat_interval: 1
              node_timeout: 5
              shared_limits: true
              on_database_loss: fail-closed
              admission_timeout: 0.2
            """)
        #expect(config.cluster == ClusterConfig(nodeName: "edge-london-1", heartbeatInterval: 1, nodeTimeout: 5, sharedLimits: true,
                                                onDatabaseLoss: .failClosed, admissionTimeout: 0.2))
    }

    @Test("a bad value is an error with its path", arguments: [
        ("cluster: { heartbeat_interval: 0.01 }", "cluster.heartbeat_interval"),
        ("cluster: { heartbeat_interval: 2, node_timeout: 5 }", "cluster.node_timeout"),
        ("cluster: { on_database_loss: fail-maybe }", "cluster.on_database_loss"),
        ("cluster: { admission_timeout: 30 }", "cluster.admission_timeout"),
        ("cluster: { gossip: true }", "cluster.gossip"),
        ("node: { name: \"\" }", "node.name"),
        ("node: { id: 3 }", "node.id"),
    ])
    func errors(yaml: String, path: String) {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal + "\n" + yaml)
        #expect(errors.contains { $0.path == path }, "\(errors)")
    }
}
