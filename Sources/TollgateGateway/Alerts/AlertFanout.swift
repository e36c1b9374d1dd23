import TollgateStore
import TollgateModel

/// Forwards every event to several sinks, each with its own minimum severity.
///
/// ``deliver(_:)`` asks each route's filter and hands the event to the sinks that admit it; as every
/// sink's `deliver` returns at once, so does the fan-out's. ``shutdown()`` shuts all sinks down at the
/// same time and returns when the last one has finished.
public struct AlertFanout: AlertSink {
    /// One sink and the least severe events it receives.
    public struct Route: Sendable {
        public var sink: any AlertSink
        public var filter: AlertSeverityFilter

        /// Sends `sink` the events at or above `minimumSeverity`.
        public init(_ sink: any AlertSink, minimumSeverity: SecurityEvent.Severity = .info) {
            self.sink = sink
            self.filter = AlertSeverityFilter(minimumSeverity: minimumSeverity)
        }
    }

    /// The routes, in the order events are handed out.
    public let routes: [Route]

    /// Forwards to each of `routes`.
    public init(_ routes: [Route]) {
        self.routes = routes
    }

    /// Hands `event` to every sink whose minimum severity it reaches.
    public func deliver(_ event: SecurityEvent) {
        for route in self.routes where route.filter.admits(event) {
            route.sink.deliver(event)
        }
    }

    /// Shuts every sink down concurrently.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for route in self.routes {
                group.addTask {
                    await route.sink.shutdown()
                }
            }
        }
    }
}
