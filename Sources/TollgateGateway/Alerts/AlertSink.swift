import TollgateStore
import TollgateModel

/// A destination for security events: a webhook, a syslog collector, several of them at once.
///
/// The gateway hands every ``SecurityEvent`` to its sink from the message path, so ``deliver(_:)``
/// must never wait: it enqueues the event (or decides to drop it) and returns at once. The sink owns
/// whatever work it needs to do in the background and stops it in ``shutdown()``.
public protocol AlertSink: Sendable {
    /// Hands an event to the sink. Returns at once; delivery happens later, in the background.
    func deliver(_ event: SecurityEvent)

    /// Stops accepting events, delivers what is queued within the sink's shutdown deadline, drops the
    /// rest and ends the sink's background work. Calling it more than once is harmless.
    func shutdown() async
}

/// Lets through events at or above a minimum severity.
public struct AlertSeverityFilter: Sendable, Hashable {
    /// The lowest severity let through.
    public var minimumSeverity: SecurityEvent.Severity

    /// Lets through events at or above `minimumSeverity`; the default lets through everything.
    public init(minimumSeverity: SecurityEvent.Severity = .info) {
        self.minimumSeverity = minimumSeverity
    }

    /// Whether `event` is severe enough to be delivered.
    @inlinable
    public func admits(_ event: SecurityEvent) -> Bool {
        event.severity >= self.minimumSeverity
    }
}
