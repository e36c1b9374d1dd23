/// What the gateway removes from messages so that the inside of the network is not revealed.
public struct TopologyHidingConfig: Sendable, Hashable, Codable {
    /// Whether topology hiding is on (Via/Record-Route/Contact rewriting and header stripping).
    public var enabled: Bool = true
    /// Header names to remove from messages leaving toward the external zone; a trailing `*`
    /// matches any rest of the name (case-insensitively), e.g. `X-Asterisk-*`.
    public var stripHeaders: [String] = ["X-Asterisk-*", "X-FS-*", "P-Asserted-Identity"]
    /// Whether to replace internal addresses in SDP (`o=`, `c=`) with the gateway's own.
    public var maskSDP: Bool = false

    /// Creates a topology-hiding configuration.
    ///
    /// - Parameters:
    ///   - enabled: Whether topology hiding is on.
    ///   - stripHeaders: Header name patterns to remove.
    ///   - maskSDP: Whether to mask internal addresses in SDP.
    public init(
        enabled: Bool = true,
        stripHeaders: [String] = ["X-Asterisk-*", "X-FS-*", "P-Asserted-Identity"],
        maskSDP: Bool = false
    ) {
        self.enabled = enabled
        self.stripHeaders = stripHeaders
        self.maskSDP = maskSDP
    }

    /// Whether a header called `name` is to be stripped (when enabled): a case-insensitive match
    /// against ``stripHeaders``, where a trailing `*` matches any rest of the name.
    public func shouldStrip(headerNamed name: String) -> Bool {
        guard enabled else { return false }
        let lowered = name.lowercased()
        return stripHeaders.contains { pattern in
            let pattern = pattern.lowercased()
            if pattern.hasSuffix("*") { return lowered.hasPrefix(pattern.dropLast()) }
            return lowered == pattern
        }
    }
}
