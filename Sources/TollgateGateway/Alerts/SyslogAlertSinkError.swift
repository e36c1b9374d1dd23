/// Why a ``SyslogAlertSink`` could not be made.
public enum SyslogAlertSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No host was given.
    case missingHost
    /// The port is not from 1 to 65535.
    case invalidPort(Int)
    /// The queue must hold at least one event.
    case invalidQueueCapacity(Int)

    public var description: String {
        switch self {
        case .missingHost:
            "syslog host is empty"
        case .invalidPort(let port):
            "syslog port \(port) is not from 1 to 65535"
        case .invalidQueueCapacity(let capacity):
            "syslog queue capacity \(capacity) must be at least 1"
        }
    }
}
