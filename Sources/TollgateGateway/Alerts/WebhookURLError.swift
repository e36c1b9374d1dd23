/// Why a webhook URL was refused. The messages never repeat the URL, which may carry a secret token.
public enum WebhookURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL does not start with `http://` or `https://`.
    case missingScheme
    /// The scheme is neither `http` nor `https`.
    case unsupportedScheme(String)
    /// Nothing names the host between `//` and the path.
    case missingHost
    /// The port is not a number from 1 to 65535.
    case invalidPort(String)
    /// `user:password@` in the URL; credentials belong in a header.
    case credentialsInURL
    /// Whitespace, control characters, or a malformed IPv6 literal.
    case malformed(String)

    public var description: String {
        switch self {
        case .missingScheme:
            "webhook URL has no scheme: it must start with http:// or https://"
        case .unsupportedScheme(let scheme):
            "webhook URL scheme '\(scheme)' is not supported: use http or https"
        case .missingHost:
            "webhook URL has no host"
        case .invalidPort(let port):
            "webhook URL port '\(port)' is not a number from 1 to 65535"
        case .credentialsInURL:
            "webhook URL must not carry user:password@; send credentials in a header such as Authorization"
        case .malformed(let reason):
            "webhook URL is malformed: \(reason)"
        }
    }
}
