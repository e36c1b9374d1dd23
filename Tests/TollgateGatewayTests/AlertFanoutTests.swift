import Logging
import MetricsTestKit
import Testing
import TollgateStore

@testable import TollgateGateway
import TollgateModel

@Suite("Alert fan-out, severity filter and queue")
struct AlertFanoutTests {
    @Test("the severity filter admits events at or above its minimum")
    func severityFilter() {
        let filter = AlertSeverityFilter(minimumSeverity: .warning)
        #expect(!filter.admits(alertTestEvent(severity: .info)))
        #expect(!filter.admits(alertTestEvent(severity: .notice)))
        #expect(filter.admits(alertTestEvent(severity: .warning)))
        #expect(filter.admits(alertTestEvent(severity: .critical)))
        #expect(AlertSeverityFilter().admits(alertTestEvent(severity: .info)))
    }

    @Test("each sink of a fan-out receives the events at or above its own minimum severity")
    func fanout() async {
        let everything = RecordingAlertSink()
        let warnings = RecordingAlertSink()
        let critical = RecordingAlertSink()
        let fanout = AlertFanout([
            .init(everything),
            .init(warnings, minimumSeverity: .warning),
            .init(critical, minimumSeverity: .critical),
        ])
        for severity in SecurityEvent.Severity.allCases {
            fanout.deliver(alertTestEvent(severity.rawValue, severity: severity))
        }
        await fanout.shutdown()

        #expect(everything.events.map(\.kind) == ["info", "notice", "warning", "critical"])
        #expect(warnings.events.map(\.kind) == ["warning", "critical"])
        #expect(critical.events.map(\.kind) == ["critical"])
        #expect(everything.isShutDown && warnings.isShutDown && critical.isShutDown)
    }

    @Test("the queue hands events out in order, drops the oldest when full and ends when finished")
    func queueOrderAndOverflow() async {
        let metrics = TestMetrics()
        let counters = AlertSinkCounters(sink: "q", logger: Logger(label: "test"), metricsFactory: metrics)
        let queue = AlertQueue(capacity: 2, counters: counters)
        for kind in ["a", "b", "c", "d"] {
            queue.enqueue(alertTestEvent(kind))
        }
        #expect(queue.count == 2)
        #expect(counters.current.dropped == 2)
        queue.finish()
        queue.enqueue(alertTestEvent("after"))
        #expect(counters.current.dropped == 3)
        #expect(await queue.next()?.kind == "c")
        #expect(await queue.next()?.kind == "d")
        #expect(await queue.next() == nil)
    }

    @Test("a waiting consumer is woken by the next event, by finish, and by cancellation")
    func queueWaiting() async throws {
        let counters = AlertSinkCounters(sink: "q", logger: Logger(label: "test"), metricsFactory: TestMetrics())
        let queue = AlertQueue(capacity: 4, counters: counters)

        let handedOver = Task { await queue.next()?.kind }
        try await Task.sleep(for: .milliseconds(20))
        queue.enqueue(alertTestEvent("x"))
        #expect(await handedOver.value == "x")

        let cancelled = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == nil)

        let finished = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        queue.finish()
        #expect(await finished.value == nil)
    }

    @Test("timestamps are RFC 3339 in UTC with milliseconds")
    func timestamps() {
        #expect(AlertTimestamp.rfc3339(alertTestTime) == "2023-11-14T22:13:20.250Z")
        #expect(AlertTimestamp.rfc3339(.init(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(AlertTimestamp.rfc3339(.init(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(AlertTimestamp.rfc3339(.init(timeIntervalSince1970: 951_782_400.125)) == "2000-02-29T00:00:00.125Z")
    }
}
