import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import TollgateStore
import TollgateModel

/// Sends every security event to a syslog collector as an RFC 5424 message over UDP.
///
/// ``deliver(_:)`` only enqueues. One background task owned by the sink formats and sends the events in
/// order, one datagram each:
///
///     <PRI>1 TIMESTAMP HOSTNAME tollgate PROCID KIND [tollgate@32473 kind="…" source="…" rule="…"] DETAIL
///
/// with PRI from the facility given and the severity mapped from the event's (info 6, notice 5,
/// warning 4, critical 2), at most 2048 bytes. When the queue is full the oldest event is dropped.
/// A datagram that cannot be sent is tried once more on a fresh socket, then counted as failed; UDP
/// gives no word of what the collector did with it.
///
/// Counts go to swift-metrics as `tollgate_alerts_sent_total`, `tollgate_alerts_failed_total` and
/// `tollgate_alerts_dropped_total` with `sink` set to the sink's name, and to ``statistics``.
public final class SyslogAlertSink: AlertSink {
    /// The `sink` dimension of the metrics, and the name in logs.
    public let name: String
    /// The facility every message carries.
    public let facility: SyslogFacility
    private let worker: AlertWorker
    private let shutdownTimeout: Duration

    /// Makes the sink and starts its background task. No packet is sent and no name is resolved until
    /// the first event.
    ///
    /// - Parameters:
    ///   - host: The collector: an IPv4 or IPv6 literal (brackets allowed) or a host name.
    ///   - port: The collector's UDP port.
    ///   - facility: The facility of every message.
    ///   - appName: The APP-NAME field.
    ///   - nodeName: The HOSTNAME field: which gateway sent the message.
    ///   - name: The `sink` dimension of the metrics.
    ///   - queueCapacity: The most events waiting; beyond it the oldest is dropped.
    ///   - shutdownTimeout: How long ``shutdown()`` lets queued events be sent.
    ///   - eventLoopGroup: Where the socket runs.
    ///   - logger: Where sending problems are logged.
    ///   - metricsFactory: Where the counters go; by default the process-wide metrics system.
    /// - Throws: ``SyslogAlertSinkError`` for an empty host, a bad port or a bad capacity.
    public init(
        host: String,
        port: Int = 514,
        facility: SyslogFacility = .local0,
        appName: String = "tollgate",
        nodeName: String = AlertNodeName.current(),
        name: String = "syslog",
        queueCapacity: Int = 10_000,
        shutdownTimeout: Duration = .seconds(5),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tollgate.alerts.syslog"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws(SyslogAlertSinkError) {
        guard !host.isEmpty, host != "[]" else {
            throw .missingHost
        }
        guard (1...65535).contains(port) else {
            throw .invalidPort(port)
        }
        guard queueCapacity >= 1 else {
            throw .invalidQueueCapacity(queueCapacity)
        }
        var sinkLogger = logger
        sinkLogger[metadataKey: "alert_sink"] = "\(name)"
        sinkLogger[metadataKey: "endpoint"] = "udp://\(host):\(port)"
        let logger = sinkLogger
        let counters = AlertSinkCounters(sink: name, logger: logger, metricsFactory: metricsFactory)
        let formatter = SyslogMessageFormatter(
            facility: facility,
            hostname: nodeName,
            appName: appName,
            processID: String(ProcessInfo.processInfo.processIdentifier)
        )
        let transport = SyslogUDPTransport(host: host, port: port, eventLoopGroup: eventLoopGroup)
        self.name = name
        self.facility = facility
        self.shutdownTimeout = shutdownTimeout
        self.worker = AlertWorker(
            queue: AlertQueue(capacity: queueCapacity, counters: counters),
            counters: counters,
            deliver: { event in
                await Self.send(formatter.format(event), over: transport, counters: counters, logger: logger)
            },
            finally: { await transport.close() }
        )
    }

    /// Enqueues `event` for sending and returns at once.
    public func deliver(_ event: SecurityEvent) {
        self.worker.enqueue(event)
    }

    /// Stops accepting events, sends the queued ones until the shutdown timeout, closes the socket;
    /// events not sent by then are counted as dropped.
    public func shutdown() async {
        await self.worker.shutdown(deadline: self.shutdownTimeout)
    }

    /// Events sent, failed and dropped so far.
    public var statistics: AlertSinkStatistics {
        self.worker.counters.current
    }

    /// Events waiting to be sent, not counting the one under way.
    public var queuedCount: Int {
        self.worker.queue.count
    }

    private static func send(
        _ message: [UInt8],
        over transport: SyslogUDPTransport,
        counters: AlertSinkCounters,
        logger: Logger
    ) async {
        for attempt in 1...2 {
            do {
                try await transport.send(message)
                counters.sent()
                return
            } catch {
                if Task.isCancelled {
                    counters.dropped(reason: "shutdown deadline passed during delivery")
                    return
                }
                if attempt == 2 {
                    logger.error("syslog message not sent", metadata: ["error": "\(error)"])
                    counters.failed()
                }
            }
        }
    }
}
