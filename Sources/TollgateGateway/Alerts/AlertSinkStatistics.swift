import Logging
import Metrics
import NIOConcurrencyHelpers

/// What a queued alert sink has done with the events handed to it so far.
///
/// Every event handed to a sink ends up counted exactly once as sent, failed or dropped, or is still
/// queued (or in flight).
public struct AlertSinkStatistics: Sendable, Hashable {
    /// Events the destination accepted.
    public var sent: Int
    /// Events given up on: the destination refused them, or every attempt failed.
    public var failed: Int
    /// Events never attempted or abandoned: pushed out of a full queue, handed over after shutdown
    /// began, or still queued when the shutdown deadline passed.
    public var dropped: Int

    public init(sent: Int = 0, failed: Int = 0, dropped: Int = 0) {
        self.sent = sent
        self.failed = failed
        self.dropped = dropped
    }
}

/// The counters of one sink: kept for ``AlertSinkStatistics`` and reported to swift-metrics as
/// `tollgate_alerts_sent_total`, `tollgate_alerts_failed_total` and `tollgate_alerts_dropped_total`,
/// each with a `sink` dimension.
final class AlertSinkCounters: Sendable {
    private let statistics = NIOLockedValueBox(AlertSinkStatistics())
    private let sentCounter: Counter
    private let failedCounter: Counter
    private let droppedCounter: Counter
    private let logger: Logger

    init(sink: String, logger: Logger, metricsFactory: any MetricsFactory) {
        let dimensions = [("sink", sink)]
        self.sentCounter = Counter(label: "tollgate_alerts_sent_total", dimensions: dimensions, factory: metricsFactory)
        self.failedCounter = Counter(label: "tollgate_alerts_failed_total", dimensions: dimensions, factory: metricsFactory)
        self.droppedCounter = Counter(
            label: "tollgate_alerts_dropped_total",
            dimensions: dimensions,
            factory: metricsFactory
        )
        self.logger = logger
    }

    var current: AlertSinkStatistics {
        self.statistics.withLockedValue { $0 }
    }

    func sent() {
        self.statistics.withLockedValue { $0.sent += 1 }
        self.sentCounter.increment()
    }

    func failed() {
        self.statistics.withLockedValue { $0.failed += 1 }
        self.failedCounter.increment()
    }

    /// Counts `count` dropped events and warns on the first drop and every thousandth after it, so a
    /// flood of events cannot turn into a flood of log lines.
    func dropped(_ count: Int = 1, reason: String) {
        guard count > 0 else { return }
        let total = self.statistics.withLockedValue { statistics -> Int in
            statistics.dropped += count
            return statistics.dropped
        }
        self.droppedCounter.increment(by: count)
        if total == count || total / 1000 != (total - count) / 1000 {
            self.logger.warning(
                "alert events dropped",
                metadata: ["reason": "\(reason)", "count": "\(count)", "dropped_total": "\(total)"]
            )
        }
    }
}
