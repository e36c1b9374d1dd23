import TollgateModel

/// The web console: where it listens, who may reach it, and how long sessions last.
///
/// Plain HTTP is served only on a loopback address; anywhere else the console uses TLS, with
/// `tls_certificate`/`tls_key` or, when they are not given, a self-signed certificate made on first
/// start beside the store. Sources outside ``allow`` get no answer at all: the connection is closed
/// before a byte of HTTP is read.
public struct ConsoleConfig: Sendable, Hashable, Codable {
    /// Where it listens: `127.0.0.1:8080`, `[::1]:8443`, `192.0.2.10:8443`.
    public var listen: Endpoint
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Who may connect; `nil` means loopback addresses only.
    public var allow: [AddressRange]?
    /// Who may read `/metrics` (no login: Prometheus scrapes it); `nil` means loopback addresses only.
    public var metricsAllow: [AddressRange]?
    /// A session unused this long ends (seconds).
    public var idleTimeout: Double = 30 * 60
    /// A session ends this long after sign-in, however busy (seconds).
    public var sessionLifetime: Double = 12 * 3600
    /// Failed logins from one source within ``loginFailureWindow`` that ban it from the console.
    public var banAfterFailures: Int = 10
    public var loginFailureWindow: Double = 15 * 60
    /// How long a source that kept failing is refused (seconds).
    public var banDuration: Double = 3600

    public init(listen: Endpoint) {
        self.listen = listen
    }

    /// The address ranges that may connect when ``allow`` is not set: loopback.
    public static let loopbackRanges: [AddressRange] = [
        AddressRange(network: IPAddress("127.0.0.0")!, prefixLength: 8),
        AddressRange(network: IPAddress("::1")!, prefixLength: 128),
    ]

    /// Whether the console listens on a loopback address (and may then serve plain HTTP).
    public var isLoopback: Bool { IPAddress(listen.host)?.isLoopback ?? false }

    /// Whether it serves HTTPS: always off loopback, and on loopback when a certificate is given.
    public var usesTLS: Bool { !isLoopback || tlsCertificate != nil }

    /// The console's address as a URL, e.g. `https://192.0.2.10:8443` (an unspecified address is
    /// shown as loopback, where it is reachable from this host).
    public var baseURL: String {
        var host = listen.host
        if let address = IPAddress(host), address.isUnspecified { host = address.isIPv4 ? "127.0.0.1" : "::1" }
        if host.contains(":") { host = "[\(host)]" }
        return "\(usesTLS ? "https" : "http")://\(host):\(listen.port)"
    }
}
