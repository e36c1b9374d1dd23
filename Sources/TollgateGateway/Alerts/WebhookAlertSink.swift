import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TollgateStore
import TollgateModel

/// Posts every security event as JSON to an `http://` or `https://` URL.
///
/// ``deliver(_:)`` only enqueues. One background task owned by the sink posts the events in order, one
/// request per connection, each as
/// `{"time":"2026-11-24T18:13:54.250Z","kind":…,"source":…,"rule":…,"detail":…,"severity":…,"node":…}`.
/// A 2xx response is success; 5xx, 429, timeouts and connection errors are retried with exponential
/// backoff; other statuses are not retried. When the queue is full the oldest event is dropped.
///
/// Counts go to swift-metrics as `tollgate_alerts_sent_total`, `tollgate_alerts_failed_total` and
/// `tollgate_alerts_dropped_total` with `sink` set to the sink's name, and to ``statistics``. Logs name
/// the endpoint as `scheme://host:port` only, and never header values.
///
/// HTTPS uses the system's trust roots with full certificate verification unless a TLS configuration
/// is given.
public final class WebhookAlertSink: AlertSink {
    /// The endpoint events are posted to.
    public let url: WebhookURL
    /// The `sink` dimension of the metrics, and the name in logs.
    public let name: String
    private let worker: AlertWorker
    private let shutdownTimeout: Duration

    /// Makes the sink and starts its background task.
    ///
    /// - Parameters:
    ///   - url: An `http://` or `https://` URL.
    ///   - headers: Extra request headers, e.g. `["Authorization": "Bearer …"]`. Their values are never
    ///     logged. `Host`, `Content-Type`, `Content-Length`, `Connection` and `Transfer-Encoding` are the
    ///     sink's own. A `User-Agent` given here replaces the default.
    ///   - nodeName: The `node` field of every event: which gateway sent it.
    ///   - name: The `sink` dimension of the metrics.
    ///   - maximumAttempts: Attempts per event, the first included.
    ///   - baseBackoff: The wait before the first retry; it doubles for each further retry.
    ///   - maximumBackoff: The longest wait between two attempts.
    ///   - connectTimeout: How long to wait for the TCP connection.
    ///   - responseTimeout: How long to wait for the response once connected, TLS handshake included.
    ///   - queueCapacity: The most events waiting; beyond it the oldest is dropped.
    ///   - shutdownTimeout: How long ``shutdown()`` lets queued events be delivered.
    ///   - tlsConfiguration: For `https`; by default the system's trust roots and full verification.
    ///   - eventLoopGroup: Where connections run.
    ///   - logger: Where delivery problems are logged.
    ///   - metricsFactory: Where the counters go; by default the process-wide metrics system.
    /// - Throws: ``WebhookAlertSinkError`` for a bad URL, header or limit.
    public init(
        url: String,
        headers: [String: String] = [:],
        nodeName: String = AlertNodeName.current(),
        name: String = "webhook",
        maximumAttempts: Int = 5,
        baseBackoff: Duration = .milliseconds(500),
        maximumBackoff: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        responseTimeout: Duration = .seconds(10),
        queueCapacity: Int = 10_000,
        shutdownTimeout: Duration = .seconds(5),
        tlsConfiguration: TLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tollgate.alerts.webhook"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws(WebhookAlertSinkError) {
        let parsed: WebhookURL
        do {
            parsed = try WebhookURL(parsing: url)
        } catch {
            throw .invalidURL(error)
        }
        guard queueCapacity >= 1 else {
            throw .invalidQueueCapacity(queueCapacity)
        }
        guard maximumAttempts >= 1 else {
            throw .invalidMaximumAttempts(maximumAttempts)
        }
        let requestHeaders = try Self.requestHeaders(url: parsed, extra: headers)

        var sslContext: NIOSSLContext?
        if parsed.usesTLS {
            do {
                sslContext = try NIOSSLContext(configuration: tlsConfiguration ?? .makeClientConfiguration())
            } catch {
                throw .tlsConfiguration("\(error)")
            }
        }

        var logger = logger
        logger[metadataKey: "alert_sink"] = "\(name)"
        logger[metadataKey: "endpoint"] = "\(parsed)"
        let counters = AlertSinkCounters(sink: name, logger: logger, metricsFactory: metricsFactory)
        let delivery = Delivery(
            client: WebhookHTTPClient(
                url: parsed,
                headers: requestHeaders,
                sslContext: sslContext,
                eventLoopGroup: eventLoopGroup,
                connectTimeout: TimeAmount(connectTimeout),
                responseTimeout: TimeAmount(responseTimeout)
            ),
            policy: WebhookRetryPolicy(
                maximumAttempts: maximumAttempts,
                baseDelay: baseBackoff,
                maximumDelay: max(baseBackoff, maximumBackoff)
            ),
            nodeName: nodeName,
            counters: counters,
            logger: logger
        )
        self.url = parsed
        self.name = name
        self.shutdownTimeout = shutdownTimeout
        self.worker = AlertWorker(
            queue: AlertQueue(capacity: queueCapacity, counters: counters),
            counters: counters,
            deliver: { event in await delivery.deliver(event) }
        )
    }

    /// Enqueues `event` for posting and returns at once.
    public func deliver(_ event: SecurityEvent) {
        self.worker.enqueue(event)
    }

    /// Stops accepting events, posts the queued ones until the shutdown timeout, then stops; events not
    /// posted by then are counted as dropped.
    public func shutdown() async {
        await self.worker.shutdown(deadline: self.shutdownTimeout)
    }

    /// Events sent, failed and dropped so far.
    public var statistics: AlertSinkStatistics {
        self.worker.counters.current
    }

    /// Events waiting to be posted, not counting the one under way.
    public var queuedCount: Int {
        self.worker.queue.count
    }

    private static let reservedHeaders: Set<String> = [
        "host", "content-type", "content-length", "connection", "transfer-encoding",
    ]

    private static func requestHeaders(
        url: WebhookURL,
        extra: [String: String]
    ) throws(WebhookAlertSinkError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "User-Agent", value: "tollgate")
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) {
            guard Self.isToken(name), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw .invalidHeader(name: name)
            }
            guard !Self.reservedHeaders.contains(name.lowercased()) else {
                throw .reservedHeader(name: name)
            }
            headers.replaceOrAdd(name: name, value: value)
        }
        return headers
    }

    /// RFC 9110 `token`: the characters a header name may use.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default:
                    "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }
}

extension WebhookAlertSink {
    /// Posts one event with retries and counts the outcome. Runs on the sink's background task only.
    private struct Delivery: Sendable {
        let client: WebhookHTTPClient
        let policy: WebhookRetryPolicy
        let nodeName: String
        let counters: AlertSinkCounters
        let logger: Logger

        func deliver(_ event: SecurityEvent) async {
            let body: ByteBuffer
            do {
                body = ByteBuffer(bytes: try WebhookAlertPayload(event, node: self.nodeName).encoded())
            } catch {
                self.logger.error("alert event could not be encoded", metadata: ["error": "\(error)"])
                self.counters.failed()
                return
            }

            var attempt = 1
            while true {
                let problem: String
                do {
                    let response = try await self.client.post(body)
                    switch self.policy.verdict(for: response.status) {
                    case .delivered:
                        self.counters.sent()
                        return
                    case .refused:
                        self.logger.error(
                            "alert refused by the webhook, not retried",
                            metadata: ["status": "\(response.status.code)", "kind": "\(event.kind)"]
                        )
                        self.counters.failed()
                        return
                    case .retry:
                        problem = "HTTP \(response.status.code)"
                    }
                } catch is CancellationError {
                    self.counters.dropped(reason: "shutdown deadline passed during delivery")
                    return
                } catch {
                    problem = "\(error)"
                }

                guard attempt < self.policy.maximumAttempts else {
                    self.logger.error(
                        "alert not delivered, attempts exhausted",
                        metadata: ["attempts": "\(attempt)", "last_error": "\(problem)", "kind": "\(event.kind)"]
                    )
                    self.counters.failed()
                    return
                }
                let delay = self.policy.delay(afterAttempt: attempt)
                self.logger.debug(
                    "alert delivery failed, retrying",
                    metadata: ["attempt": "\(attempt)", "error": "\(problem)", "retry_in": "\(delay)"]
                )
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    self.counters.dropped(reason: "shutdown deadline passed during delivery")
                    return
                }
                attempt += 1
            }
        }
    }
}
