/// Where inbound calls go when the PBX is unreachable, e.g. a mobile number reached over a trunk.
public struct FallbackConfig: Sendable, Hashable, Codable {
    /// The number to send the call to, e.g. `+447700900123`.
    public var target: String
    /// Names of the trunks to reach it over, in order of preference.
    public var trunks: [String]

    /// Creates a fallback.
    ///
    /// - Parameters:
    ///   - target: The number to send calls to.
    ///   - trunks: Names of the trunks to use, in order of preference.
    public init(target: String, trunks: [String]) {
        self.target = target
        self.trunks = trunks
    }
}
