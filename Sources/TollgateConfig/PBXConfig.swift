/// The PBX behind the gateway: where inbound calls and internal-side traffic go.
///
/// In YAML either a string (`pbx: udp:10.0.0.20:5060`) or a mapping with `name` and either
/// `endpoint` or `transport`/`address`/`port`.
public struct PBXConfig: Sendable, Hashable, Codable {
    /// The PBX's SIP address.
    public var endpoint: Endpoint
    /// A name for logs and events; `pbx` unless given.
    public var name: String

    /// Creates a PBX configuration.
    ///
    /// - Parameters:
    ///   - endpoint: The PBX's SIP address.
    ///   - name: A name for logs and events.
    public init(endpoint: Endpoint, name: String = "pbx") {
        self.endpoint = endpoint
        self.name = name
    }
}
