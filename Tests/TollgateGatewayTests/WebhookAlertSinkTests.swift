import Foundation
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing
import TollgateStore

@testable import TollgateGateway

@Suite("Webhook alert sink")
struct WebhookAlertSinkTests {
    /// A sink posting to `server` with retries fast enough for tests.
    private func makeSink(
        _ server: AlertTestHTTPServer,
        path: String = "/hooks/alerts",
        headers: [String: String] = [:],
        maximumAttempts: Int = 5,
        responseTimeout: Duration = .seconds(5),
        queueCapacity: Int = 100,
        shutdownTimeout: Duration = .seconds(5),
        scheme: String = "http",
        tlsConfiguration: TLSConfiguration? = nil,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        metrics: TestMetrics = TestMetrics()
    ) throws -> WebhookAlertSink {
        try WebhookAlertSink(
            url: "\(scheme)://127.0.0.1:\(server.port)\(path)",
            headers: headers,
            nodeName: "gw-1",
            maximumAttempts: maximumAttempts,
            baseBackoff: .milliseconds(10),
            maximumBackoff: .milliseconds(40),
            connectTimeout: .seconds(2),
            responseTimeout: responseTimeout,
            queueCapacity: queueCapacity,
            shutdownTimeout: shutdownTimeout,
            tlsConfiguration: tlsConfiguration,
            logger: logger,
            metricsFactory: metrics
        )
    }

    @Test("each event is posted as JSON with time, kind, source, rule, detail, severity and node")
    func jsonBody() async throws {
        let server = try await AlertTestHTTPServer.start()
        let sink = try self.makeSink(
            server,
            path: "/hooks/alerts?team=voice",
            headers: ["Authorization": "Bearer s3cret-token", "X-Tollgate-Test": "1"]
        )
        sink.deliver(alertTestEvent(detail: "user \"1001\" \\ ünïcode ☎", severity: .critical))
        await sink.shutdown()
        await server.stop()

        let requests = server.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.method == .POST)
        #expect(request.uri == "/hooks/alerts?team=voice")
        #expect(request.headers["Host"] == ["127.0.0.1:\(server.port)"])
        #expect(request.headers["Content-Type"] == ["application/json"])
        #expect(request.headers["Content-Length"] == ["\(request.body.count)"])
        #expect(request.headers["Authorization"] == ["Bearer s3cret-token"])
        #expect(request.headers["X-Tollgate-Test"] == ["1"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String])
        #expect(
            json == [
                "time": "2023-11-14T22:13:20.250Z",
                "kind": "ban",
                "source": "203.0.113.9",
                "rule": "auth-failures",
                "detail": "user \"1001\" \\ ünïcode ☎",
                "severity": "critical",
                "node": "gw-1",
            ]
        )
        #expect(sink.statistics == AlertSinkStatistics(sent: 1, failed: 0, dropped: 0))
    }

    @Test("503 and 429 are retried with backoff until a 2xx, and the same body is sent each time")
    func retryAfterUnavailable() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.status(.serviceUnavailable), .status(.tooManyRequests)])
        let metrics = TestMetrics()
        let sink = try self.makeSink(server, metrics: metrics)
        sink.deliver(alertTestEvent())
        await sink.shutdown()
        await server.stop()

        let requests = server.requests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.body)).count == 1)
        #expect(sink.statistics == AlertSinkStatistics(sent: 1, failed: 0, dropped: 0))
        let sent = try metrics.expectCounter("tollgate_alerts_sent_total", [("sink", "webhook")])
        #expect(sent.totalValue == 1)
    }

    @Test("a 400 is not retried and counts as failed; the next event is still posted")
    func noRetryAfterBadRequest() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.status(.badRequest)])
        let metrics = TestMetrics()
        let sink = try self.makeSink(server, metrics: metrics)
        sink.deliver(alertTestEvent("scanner"))
        sink.deliver(alertTestEvent("rate-limit"))
        await sink.shutdown()
        await server.stop()

        let kinds = try server.requests.map { try Self.kind(of: $0) }
        #expect(kinds == ["scanner", "rate-limit"], "one attempt for the refused event, then the next one")
        #expect(sink.statistics == AlertSinkStatistics(sent: 1, failed: 1, dropped: 0))
        #expect(try metrics.expectCounter("tollgate_alerts_failed_total", [("sink", "webhook")]).totalValue == 1)
    }

    @Test("after the last attempt fails the event counts as failed")
    func attemptsExhausted() async throws {
        let server = try await AlertTestHTTPServer.start(script: Array(repeating: .status(.badGateway), count: 3))
        let sink = try self.makeSink(server, maximumAttempts: 3)
        sink.deliver(alertTestEvent())
        await sink.shutdown()
        await server.stop()

        #expect(server.requests.count == 3)
        #expect(sink.statistics == AlertSinkStatistics(sent: 0, failed: 1, dropped: 0))
    }

    @Test("a response that does not come in time is retried")
    func responseTimeoutRetried() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.hold])
        let sink = try self.makeSink(server, responseTimeout: .milliseconds(200))
        sink.deliver(alertTestEvent())
        await sink.shutdown()
        await server.stop()

        #expect(server.requests.count == 2)
        #expect(sink.statistics == AlertSinkStatistics(sent: 1, failed: 0, dropped: 0))
    }

    @Test("a refused connection is retried, then counts as failed")
    func connectionRefused() async throws {
        // A port that was just free: bind, note it, close.
        let probe = try await AlertTestHTTPServer.start()
        await probe.stop()
        let sink = try self.makeSink(probe, maximumAttempts: 2)
        sink.deliver(alertTestEvent())
        await sink.shutdown()

        #expect(sink.statistics == AlertSinkStatistics(sent: 0, failed: 1, dropped: 0))
    }

    @Test("a full queue drops the oldest waiting event and counts it; delivery stays in order")
    func overflowDropsOldest() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.hold])
        let metrics = TestMetrics()
        let sink = try self.makeSink(server, queueCapacity: 3, metrics: metrics)
        sink.deliver(alertTestEvent("e0"))
        _ = try await server.waitForRequests(1)
        for index in 1...5 {
            sink.deliver(alertTestEvent("e\(index)"))
        }
        #expect(sink.statistics.dropped == 2)
        #expect(sink.queuedCount == 3)
        server.release()
        await sink.shutdown()
        await server.stop()

        let kinds = try server.requests.map { try Self.kind(of: $0) }
        #expect(kinds == ["e0", "e3", "e4", "e5"])
        #expect(sink.statistics == AlertSinkStatistics(sent: 4, failed: 0, dropped: 2))
        #expect(try metrics.expectCounter("tollgate_alerts_dropped_total", [("sink", "webhook")]).totalValue == 2)
    }

    @Test("deliver returns at once while the endpoint hangs")
    func deliverNeverWaits() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.hold])
        let sink = try self.makeSink(server, queueCapacity: 10_000, shutdownTimeout: .milliseconds(100))
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<20_000 {
                sink.deliver(alertTestEvent("e\(index)"))
            }
        }
        #expect(elapsed < .seconds(2))
        await sink.shutdown()
        await server.stop()
        #expect(sink.statistics.dropped == 20_000, "10,000 pushed out of the queue, the rest at the deadline")
    }

    @Test("shutdown delivers every queued event before it returns")
    func shutdownDrains() async throws {
        let server = try await AlertTestHTTPServer.start()
        let sink = try self.makeSink(server)
        for index in 0..<20 {
            sink.deliver(alertTestEvent("e\(index)"))
        }
        await sink.shutdown()
        await server.stop()

        let kinds = try server.requests.map { try Self.kind(of: $0) }
        #expect(kinds == (0..<20).map { "e\($0)" })
        #expect(sink.statistics == AlertSinkStatistics(sent: 20, failed: 0, dropped: 0))
    }

    @Test("shutdown stops at its deadline when the endpoint hangs; undelivered and later events count as dropped")
    func shutdownDeadline() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.hold])
        let sink = try self.makeSink(server, responseTimeout: .seconds(30), shutdownTimeout: .milliseconds(200))
        for index in 0..<3 {
            sink.deliver(alertTestEvent("e\(index)"))
        }
        _ = try await server.waitForRequests(1)
        let elapsed = await ContinuousClock().measure {
            await sink.shutdown()
        }
        #expect(elapsed < .seconds(2))
        sink.deliver(alertTestEvent("late"))
        await server.stop()

        #expect(server.requests.count == 1)
        #expect(sink.statistics == AlertSinkStatistics(sent: 0, failed: 0, dropped: 4))
    }

    @Test("logs name the status and the endpoint but never header values or the URL path")
    func logsKeepSecrets() async throws {
        let server = try await AlertTestHTTPServer.start(script: [.status(.unauthorized)])
        let lines = NIOLockedValueBox<[String]>([])
        let sink = try self.makeSink(
            server,
            path: "/hooks/T0KEN-IN-PATH",
            headers: ["Authorization": "Bearer s3cret-token"],
            logger: CapturingLogHandler.logger(lines)
        )
        sink.deliver(alertTestEvent())
        await sink.shutdown()
        await server.stop()

        let log = lines.withLockedValue { $0 }.joined(separator: "\n")
        #expect(log.contains("401"))
        #expect(log.contains("http://127.0.0.1:\(server.port)"))
        #expect(!log.contains("s3cret-token"))
        #expect(!log.contains("T0KEN-IN-PATH"))
    }

    @Test("https with a certificate from an unknown CA fails verification and nothing is posted")
    func httpsVerifiesCertificates() async throws {
        let certificates = try AlertTestCertificates()
        let server = try await AlertTestHTTPServer.start(tls: certificates.serverContext)
        let lines = NIOLockedValueBox<[String]>([])
        let sink = try self.makeSink(server, maximumAttempts: 1, scheme: "https", logger: CapturingLogHandler.logger(lines))
        sink.deliver(alertTestEvent())
        await sink.shutdown()
        await server.stop()

        #expect(server.requests.isEmpty)
        #expect(sink.statistics == AlertSinkStatistics(sent: 0, failed: 1, dropped: 0))
        #expect(lines.withLockedValue { $0 }.joined().contains("CERTIFICATE_VERIFY_FAILED"))
    }

    @Test("https posts the event when the server's CA is trusted")
    func httpsWithTrustedCertificate() async throws {
        let certificates = try AlertTestCertificates()
        let server = try await AlertTestHTTPServer.start(tls: certificates.serverContext)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([certificates.authority])
        let sink = try self.makeSink(server, maximumAttempts: 1, scheme: "https", tlsConfiguration: tls)
        sink.deliver(alertTestEvent())
        await sink.shutdown()
        await server.stop()

        #expect(try server.requests.map { try Self.kind(of: $0) } == ["ban"])
        #expect(sink.statistics == AlertSinkStatistics(sent: 1, failed: 0, dropped: 0))
    }

    private static func kind(of request: AlertTestHTTPServer.Request) throws -> String {
        let json = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String]
        return json?["kind"] ?? ""
    }
}
