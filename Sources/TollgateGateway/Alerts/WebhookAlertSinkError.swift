/// Why a ``WebhookAlertSink`` could not be made. The messages never repeat header values or the URL's
/// path, which may carry secrets.
public enum WebhookAlertSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL was refused.
    case invalidURL(WebhookURLError)
    /// A header name is not an HTTP token, or its value contains CR, LF or NUL.
    case invalidHeader(name: String)
    /// A header the sink sets itself (`Host`, `Content-Length`, `Content-Type`, `Connection`,
    /// `Transfer-Encoding`) was given as an extra header.
    case reservedHeader(name: String)
    /// The queue must hold at least one event.
    case invalidQueueCapacity(Int)
    /// At least one attempt must be allowed.
    case invalidMaximumAttempts(Int)
    /// The TLS configuration could not be turned into a context.
    case tlsConfiguration(String)

    public var description: String {
        switch self {
        case .invalidURL(let error):
            error.description
        case .invalidHeader(let name):
            "webhook header '\(name)' is invalid: names must be HTTP tokens, values must not contain CR, LF or NUL"
        case .reservedHeader(let name):
            "webhook header '\(name)' is set by the sink and cannot be overridden"
        case .invalidQueueCapacity(let capacity):
            "webhook queue capacity \(capacity) must be at least 1"
        case .invalidMaximumAttempts(let attempts):
            "webhook maximum attempts \(attempts) must be at least 1"
        case .tlsConfiguration(let reason):
            "webhook TLS configuration is invalid: \(reason)"
        }
    }
}
