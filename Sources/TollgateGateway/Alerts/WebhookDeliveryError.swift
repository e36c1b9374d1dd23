import NIOCore

/// Why one attempt to post an event did not get a response.
enum WebhookDeliveryError: Error, Sendable, CustomStringConvertible {
    /// The TCP (and TLS) connection could not be set up.
    case connectFailed(any Error)
    /// No complete response head arrived within the response timeout.
    case responseTimeout(TimeAmount)
    /// The server closed the connection before a response head arrived.
    case closedBeforeResponse
    /// The connection failed while the request was under way.
    case connectionError(any Error)

    var description: String {
        switch self {
        case .connectFailed(let error):
            "connection failed: \(error)"
        case .responseTimeout(let timeout):
            "no response within \(timeout.nanoseconds / 1_000_000) ms"
        case .closedBeforeResponse:
            "connection closed before a response"
        case .connectionError(let error):
            "connection error: \(error)"
        }
    }
}
