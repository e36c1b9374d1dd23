import Foundation
import Logging
import MetricsTestKit
import Testing
import TollgateStore

@testable import TollgateGateway
import TollgateModel

@Suite("Syslog alert sink")
struct SyslogAlertSinkTests {
    private let pid = ProcessInfo.processInfo.processIdentifier

    private func makeSink(
        _ receiver: AlertTestUDPReceiver,
        facility: SyslogFacility = .local0,
        metrics: TestMetrics = TestMetrics()
    ) throws -> SyslogAlertSink {
        try SyslogAlertSink(
            host: "127.0.0.1",
            port: receiver.port,
            facility: facility,
            nodeName: "gw-1",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            metricsFactory: metrics
        )
    }

    @Test("an event arrives as one RFC 5424 datagram: PRI, version, timestamp, hostname, app, procid, msgid, SD, MSG")
    func framing() async throws {
        let receiver = try await AlertTestUDPReceiver.start()
        let metrics = TestMetrics()
        let sink = try self.makeSink(receiver, metrics: metrics)
        sink.deliver(alertTestEvent(rule: #"say "hi" \ [x] done"#, detail: "10 failed registrations ] \" \\ in 60 s"))
        let datagrams = try await receiver.waitForDatagrams(1)
        await sink.shutdown()
        await receiver.stop()

        try #require(datagrams.count == 1)
        let expected =
            "<132>1 2023-11-14T22:13:20.250Z gw-1 tollgate \(self.pid) ban "
            + #"[tollgate@32473 kind="ban" source="203.0.113.9" rule="say \"hi\" \\ [x\] done"] "#
            + "10 failed registrations ] \" \\ in 60 s"
        #expect(String(decoding: datagrams[0], as: UTF8.self) == expected)
        #expect(sink.statistics == AlertSinkStatistics(sent: 1, failed: 0, dropped: 0))
        #expect(try metrics.expectCounter("tollgate_alerts_sent_total", [("sink", "syslog")]).totalValue == 1)
    }

    @Test("PRI is facility * 8 + the severity mapped from the event, in order of delivery")
    func priorities() async throws {
        let receiver = try await AlertTestUDPReceiver.start()
        let sink = try self.makeSink(receiver, facility: .auth)
        for severity in [SecurityEvent.Severity.info, .notice, .warning, .critical] {
            sink.deliver(alertTestEvent(severity.rawValue, severity: severity))
        }
        let datagrams = try await receiver.waitForDatagrams(4)
        await sink.shutdown()
        await receiver.stop()

        let heads = datagrams.map { String(decoding: $0, as: UTF8.self).split(separator: " ").prefix(6).joined(separator: " ") }
        let tail = "2023-11-14T22:13:20.250Z gw-1 tollgate \(self.pid)"
        #expect(
            heads == [
                "<38>1 \(tail) info", "<37>1 \(tail) notice", "<36>1 \(tail) warning", "<34>1 \(tail) critical",
            ]
        )
    }

    @Test("a long detail is cut to 2048 bytes between UTF-8 characters")
    func truncation() async throws {
        let receiver = try await AlertTestUDPReceiver.start()
        let sink = try self.makeSink(receiver)
        let detail = String(repeating: "é€", count: 1000)  // 5 bytes a pair
        sink.deliver(alertTestEvent(detail: detail))
        let datagrams = try await receiver.waitForDatagrams(1)
        await sink.shutdown()
        await receiver.stop()

        let datagram = try #require(datagrams.first)
        #expect(datagram.count <= 2048)
        #expect(datagram.count > 2040)
        let text = try #require(String(validating: datagram, as: UTF8.self))
        let message = try #require(text.range(of: "] "))
        #expect(detail.hasPrefix(text[message.upperBound...]))
    }

    @Test("formatter: every cut of a multi-byte detail stays valid UTF-8 and within the limit")
    func truncationBoundaries() throws {
        let formatter = SyslogMessageFormatter(facility: .local7, hostname: "gw-1", appName: "tollgate", processID: "1")
        for padding in 0..<4 {
            let detail = String(repeating: "a", count: padding) + String(repeating: "☎", count: 800)
            let bytes = formatter.format(alertTestEvent(detail: detail))
            #expect(bytes.count <= SyslogMessageFormatter.maximumLength)
            #expect(bytes.count > SyslogMessageFormatter.maximumLength - 3)
            #expect(String(validating: bytes, as: UTF8.self) != nil)
        }
        let short = formatter.format(alertTestEvent(detail: ""))
        #expect(String(decoding: short, as: UTF8.self).hasSuffix(#"rule="auth-failures"]"#), "no MSG for an empty detail")
    }

    @Test("formatter: header fields are printable ASCII, '-' when empty; structured values are capped")
    func headerFields() {
        let formatter = SyslogMessageFormatter(facility: .kern, hostname: "", appName: "toll gate", processID: "7")
        let text = String(
            decoding: formatter.format(alertTestEvent("", source: String(repeating: "]", count: 500), severity: .critical)),
            as: UTF8.self
        )
        #expect(text.hasPrefix(#"<2>1 2023-11-14T22:13:20.250Z - toll_gate 7 - [tollgate@32473 kind="" source=""#))
        let escapedSource = String(repeating: #"\]"#, count: SyslogMessageFormatter.maximumParameterValueLength)
        #expect(text.contains(#"source="\#(escapedSource)" rule="#))
        #expect(formatter.priority(.info) == 6)
        #expect(SyslogMessageFormatter(facility: .local7, hostname: "h", appName: "a", processID: "1").priority(.info) == 190)
    }

    @Test("facilities have the standard names and codes 0 to 23")
    func facilities() {
        #expect(SyslogFacility.allCases.map(\.code) == Array(0...23))
        #expect(SyslogFacility(name: "LOCAL3") == .local3)
        #expect(SyslogFacility(name: "local0")?.code == 16)
        #expect(SyslogFacility(name: "authpriv")?.code == 10)
        #expect(SyslogFacility(name: "local8") == nil)
    }

    @Test("the sink refuses an empty host, a port out of range and a zero queue")
    func settings() {
        #expect(throws: SyslogAlertSinkError.missingHost) { try SyslogAlertSink(host: "") }
        #expect(throws: SyslogAlertSinkError.invalidPort(0)) { try SyslogAlertSink(host: "127.0.0.1", port: 0) }
        #expect(throws: SyslogAlertSinkError.invalidPort(70_000)) { try SyslogAlertSink(host: "127.0.0.1", port: 70_000) }
        #expect(throws: SyslogAlertSinkError.invalidQueueCapacity(0)) {
            try SyslogAlertSink(host: "127.0.0.1", queueCapacity: 0)
        }
    }

    @Test("shutdown sends every queued event before it returns")
    func shutdownDrains() async throws {
        let receiver = try await AlertTestUDPReceiver.start()
        let sink = try self.makeSink(receiver)
        for index in 0..<50 {
            sink.deliver(alertTestEvent("e\(index)"))
        }
        await sink.shutdown()
        sink.deliver(alertTestEvent("late"))
        let datagrams = try await receiver.waitForDatagrams(50)
        await receiver.stop()

        #expect(sink.statistics == AlertSinkStatistics(sent: 50, failed: 0, dropped: 1))
        let kinds = datagrams.map { String(decoding: $0, as: UTF8.self).split(separator: " ")[5] }
        #expect(kinds == (0..<50).map { "e\($0)"[...] })
    }
}
