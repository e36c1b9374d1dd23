import Foundation
import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateConfig
import TollgateFraud

@testable import TollgateGateway
import TollgateModel

/// The proxy with fraud control and a CDR sink that holds each record's durability in the test's hands.
final class FraudHarness {
    let harness: ProxyHarness
    var records: [CallDetailRecord] = []
    var promises: [EventLoopPromise<Void>] = []
    let recorder: ActivityRecorder
    let control: FraudControl
    var events: [GatewayEvent] { recorder.events }
    var suspensions: [AccountSuspension] { recorder.suspensions }
    /// Whether CDRs are durable at once (otherwise the test completes `promises`).
    var immediate = true

    init(_ configure: (inout FraudConfig) -> Void = { _ in }) throws {
        harness = try ProxyHarness()
        var config = FraudConfig()
        config.thresholds = FraudConfig.Thresholds()
        config.global = FraudConfig.Thresholds()
        configure(&config)
        let classifier = NumberClassifier(config: config.numbering, prefixes: try HighRiskPrefixes.shipped())
        let proxy = harness.proxy
        control = try FraudControl(config: config, classifier: classifier)
        recorder = ActivityRecorder(proxy)
        proxy.addCallHook(FraudCallHook(control: control, events: proxy.events))
        let loop = harness.loop
        proxy.addCallHook(CallRecordingHook(events: proxy.events) { [weak self] record in
            guard let self else { return nil }
            self.records.append(record)
            if self.immediate { return loop.makeSucceededFuture(()) }
            let promise = loop.makePromise(of: Void.self)
            self.promises.append(promise)
            return promise.futureResult
        })
    }

    /// A tag made from a Call-ID (without its host part, which topology hiding would mask).
    static func tag(_ side: String, _ callID: String) -> String {
        "\(side)-\(callID.split(separator: "@").first ?? "")"
    }

    /// An INVITE from the PBX (extension `account`) to `number`, out through a trunk.
    static func outbound(to number: String, account: String = "201", callID: String, branch: String) -> String {
        """
        INVITE sip:\(number)@127.0.0.1:5070 SIP/2.0\r
        Via: SIP/2.0/UDP 127.0.0.20:5080;branch=\(branch)\r
        Max-Forwards: 70\r
        From: "Desk" <sip:4000@127.0.0.20>;tag=\(Self.tag("pbx", callID))\r
        To: <sip:\(number)@127.0.0.1>\r
        Call-ID: \(callID)\r
        CSeq: 1 INVITE\r
        Contact: <sip:\(account)@127.0.0.20:5080>\r
        P-Asserted-Identity: "Desk" <sip:\(account)@127.0.0.20>\r
        Content-Length: 0\r
        \r

        """
    }

    /// Places an outbound call and returns what was sent (100 Trying, then the INVITE or a refusal).
    func place(to number: String, account: String = "201", callID: String) -> [RecordingOutbound.Sent] {
        harness.deliver(Self.outbound(to: number, account: account, callID: callID, branch: "z9hG4bK\(callID)"), from: ProxyHarness.pbx)
        return harness.outbound.take()
    }

    /// Places a call and answers it at the carrier; returns the INVITE the carrier got.
    func answeredCall(to number: String = "01632960123", account: String = "201", callID: String) throws -> SIPMessage {
        let sent = place(to: number, account: account, callID: callID)
        let invite = try #require(sent.first { $0.message.method == .invite && $0.peer == ProxyHarness.carrier }?.message)
        harness.deliver(ProxyHarness.answer(invite, status: 200, toTag: Self.tag("far", callID), contact: "<sip:\(number)@127.0.0.10:5090>"),
                        from: ProxyHarness.carrier)
        _ = harness.outbound.take()
        return invite
    }

    /// The PBX hangs up a call placed with ``answeredCall(to:account:callID:)``.
    func hangUpFromPBX(callID: String) {
        harness.deliver("""
            BYE sip:01632960123@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.20:5080;branch=z9hG4bKbye\(callID)\r
            Max-Forwards: 70\r
            From: "Desk" <sip:4000@127.0.0.20>;tag=\(Self.tag("pbx", callID))\r
            To: <sip:01632960123@127.0.0.1>;tag=\(Self.tag("far", callID))\r
            Call-ID: \(callID)\r
            CSeq: 2 BYE\r
            Content-Length: 0\r
            \r

            """, from: ProxyHarness.pbx)
    }
}

@Suite("gateway: fraud control and CDRs")
struct FraudGatewayTests {
    @Test("a call to a premium number from an extension without that class is refused with 403 and recorded as rejected")
    func premiumRefused() throws {
        let fraud = try FraudHarness()
        let sent = fraud.place(to: "09098790123", callID: "premium-1")
        #expect(sent.map(\.message.statusCode) == [100, 403])
        #expect(sent.allSatisfy { $0.peer == ProxyHarness.pbx }, "nothing reaches the trunk")
        let record = try #require(fraud.records.first)
        #expect(record.disposition == .rejected && record.cause == 403 && record.rule == "class-of-service")
        #expect(record.account == "201" && record.direction == .outbound && record.destinationClass == "premium")
        #expect(record.hangup == .gateway && record.answer == nil)
        let event = try #require(fraud.events.first { $0.kind == .fraud })
        #expect(event.rule == "class-of-service" && event.severity == .critical)
        #expect(event.detail.contains("account 201") && event.detail.contains("09098790123"))
        #expect(fraud.suspensions.isEmpty, "a class-of-service refusal suspends nobody")
    }

    @Test("an answered call hung up by the PBX gives one CDR with answer, end, trunk and who hung up")
    func answeredCallRecorded() throws {
        let fraud = try FraudHarness()
        _ = try fraud.answeredCall(callID: "ok-1")
        #expect(fraud.records.isEmpty, "no CDR while the call is up")
        fraud.hangUpFromPBX(callID: "ok-1")
        let bye = try #require(fraud.harness.outbound.take().first { $0.message.method == .bye })
        fraud.harness.deliver(ProxyHarness.answer(bye.message, status: 200, toTag: "far-ok-1"), from: ProxyHarness.carrier)
        #expect(fraud.harness.outbound.take().first?.message.statusCode == 200)
        #expect(fraud.records.count == 1)
        let record = try #require(fraud.records.first)
        #expect(record.callID == "ok-1" && record.disposition == .answered && record.cause == 200)
        #expect(record.from == "4000" && record.to == "01632960123" && record.destinationClass == "national")
        #expect(record.account == "201", "the account comes from P-Asserted-Identity")
        #expect(record.trunk == "carrier" && record.hangup == .caller && record.source == "127.0.0.20")
        #expect(record.answer != nil && record.end >= record.answer!)
        // A retransmitted BYE does not make a second record.
        fraud.hangUpFromPBX(callID: "ok-1")
        #expect(fraud.records.count == 1)
    }

    @Test("a call whose Call-ID names the PBX (masked towards the trunk) still ends its dialog and its CDR at the BYE")
    func maskedCallIDEnds() throws {
        let fraud = try FraudHarness()
        let invite = try fraud.answeredCall(callID: "masked-1@127.0.0.20")
        #expect(invite.firstValue(of: .callID) != "masked-1@127.0.0.20", "the trunk sees a masked Call-ID")
        #expect(fraud.harness.proxy.snapshot.confirmedDialogs == 1)
        fraud.hangUpFromPBX(callID: "masked-1@127.0.0.20")
        let bye = try #require(fraud.harness.outbound.take().first { $0.message.method == .bye })
        fraud.harness.deliver(ProxyHarness.answer(bye.message, status: 200, toTag: "far-masked-1"), from: ProxyHarness.carrier)
        #expect(fraud.harness.proxy.snapshot.confirmedDialogs == 0)
        #expect(fraud.records.map(\.callID) == ["masked-1@127.0.0.20"])
    }

    @Test("the answer that ends a call waits until its CDR is stored")
    func finalAnswerWaitsForCDR() throws {
        let fraud = try FraudHarness()
        fraud.immediate = false
        _ = try fraud.answeredCall(callID: "hold-1")
        fraud.hangUpFromPBX(callID: "hold-1")
        let bye = try #require(fraud.harness.outbound.take().first { $0.message.method == .bye })
        fraud.harness.deliver(ProxyHarness.answer(bye.message, status: 200, toTag: "far-hold-1"), from: ProxyHarness.carrier)
        #expect(fraud.harness.outbound.take().isEmpty, "the 200 to the BYE is held")
        fraud.promises.first?.succeed(())
        fraud.harness.loop.run()
        #expect(fraud.harness.outbound.take().map(\.message.statusCode) == [200])
    }

    @Test("a store that never answers holds the final answer for two seconds at most")
    func stuckStoreDoesNotHoldForever() throws {
        let fraud = try FraudHarness()
        fraud.immediate = false
        let sent = fraud.place(to: "09098790123", callID: "stuck-1")
        #expect(sent.map(\.message.statusCode) == [100])
        fraud.harness.advance(.milliseconds(1900))
        #expect(fraud.harness.outbound.take().isEmpty)
        fraud.harness.advance(.milliseconds(200))
        #expect(fraud.harness.outbound.take().map(\.message.statusCode) == [403])
        fraud.promises.first?.succeed(())
        fraud.harness.loop.run()
        #expect(fraud.harness.outbound.take().isEmpty, "sent once")
    }

    @Test("the N+1th concurrent call is refused and the account suspended; a resumed account calls again")
    func concurrentLimit() throws {
        let fraud = try FraudHarness { $0.thresholds.concurrentCalls = FraudConfig.Level(warning: 1, critical: 2) }
        _ = try fraud.answeredCall(callID: "c-1")
        _ = try fraud.answeredCall(callID: "c-2")
        #expect(fraud.events.contains { $0.kind == .fraud && $0.rule == "concurrent-calls" && $0.severity == .warning })
        let third = fraud.place(to: "01632960123", callID: "c-3")
        #expect(third.map(\.message.statusCode) == [100, 403])
        #expect(fraud.records.last?.rule == "concurrent-calls" && fraud.records.last?.disposition == .rejected)
        #expect(fraud.suspensions.map(\.account) == ["201"])
        #expect(fraud.events.contains { $0.kind == .accountSuspended && $0.detail.contains("account 201") })
        // Other extensions still call; 201 stays refused until an operator resumes it.
        #expect(fraud.place(to: "01632960123", account: "202", callID: "c-4").contains { $0.peer == ProxyHarness.carrier })
        fraud.control.sync(suspensions: fraud.suspensions, resets: [:], resetsAfter: .distantPast)
        fraud.control.suspensionStored("201")
        fraud.hangUpFromPBX(callID: "c-1")
        let bye = try #require(fraud.harness.outbound.take().first { $0.message.method == .bye })
        fraud.harness.deliver(ProxyHarness.answer(bye.message, status: 200, toTag: "far-c-1"), from: ProxyHarness.carrier)
        _ = fraud.harness.outbound.take()
        #expect(fraud.place(to: "01632960123", callID: "c-5").map(\.message.statusCode) == [100, 403])
        fraud.control.sync(suspensions: [], resets: [:], resetsAfter: .distantPast)
        #expect(fraud.place(to: "01632960123", callID: "c-6").contains { $0.peer == ProxyHarness.carrier })
    }

    @Test("a suspension not yet in the store survives a sync that does not list it")
    func unconfirmedSuspensionSurvivesSync() throws {
        let fraud = try FraudHarness { $0.thresholds.callsPerMinute = FraudConfig.Level(critical: 1) }
        _ = fraud.place(to: "01632960123", callID: "u-1")
        _ = fraud.place(to: "01632960123", callID: "u-2")
        #expect(fraud.suspensions.count == 1)
        fraud.control.sync(suspensions: [], resets: [:], resetsAfter: .distantPast)
        #expect(fraud.control.engine.suspensions["201"] != nil)
    }

    @Test("a failed call and a cancelled one are recorded with their cause, disposition and who ended them")
    func failedAndCancelled() throws {
        let fraud = try FraudHarness()
        let busy = try #require(fraud.place(to: "01632960123", callID: "busy-1").first { $0.peer == ProxyHarness.carrier }?.message)
        fraud.harness.deliver(ProxyHarness.answer(busy, status: 486), from: ProxyHarness.carrier)
        _ = fraud.harness.outbound.take()
        let record = try #require(fraud.records.first)
        #expect(record.disposition == .busy && record.cause == 486 && record.hangup == .callee && record.trunk == "carrier")

        let ringing = try #require(fraud.place(to: "01632960123", callID: "cancel-1").first { $0.peer == ProxyHarness.carrier }?.message)
        fraud.harness.deliver("""
            CANCEL sip:01632960123@127.0.0.1:5070 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.20:5080;branch=z9hG4bKcancel-1\r
            Max-Forwards: 70\r
            From: "Desk" <sip:4000@127.0.0.20>;tag=pbx-cancel-1\r
            To: <sip:01632960123@127.0.0.1>\r
            Call-ID: cancel-1\r
            CSeq: 1 CANCEL\r
            Content-Length: 0\r
            \r

            """, from: ProxyHarness.pbx)
        _ = fraud.harness.outbound.take()
        fraud.harness.deliver(ProxyHarness.answer(ringing, status: 487), from: ProxyHarness.carrier)
        let cancelled = try #require(fraud.records.last)
        #expect(cancelled.callID == "cancel-1" && cancelled.disposition == .noAnswer && cancelled.cause == 487 && cancelled.hangup == .caller)
    }

    @Test("an inbound call from a trunk is recorded against the trunk and not held to the outbound call policy")
    func inboundRecorded() throws {
        let fraud = try FraudHarness { $0.defaultClassOfService = "internal" }
        fraud.harness.deliver(ProxyHarness.invite(callID: "in-1", to: "201"), from: ProxyHarness.carrier)
        let invite = try #require(fraud.harness.outbound.take().first { $0.peer == ProxyHarness.pbx }?.message)
        fraud.harness.deliver(ProxyHarness.answer(invite, status: 603), from: ProxyHarness.pbx)
        let record = try #require(fraud.records.first)
        #expect(record.direction == .inbound && record.account == "carrier" && record.trunk == "carrier")
        #expect(record.from == "+441632960000" && record.to == "201" && record.destinationClass == "internal")
        #expect(record.disposition == .failed && record.cause == 603)
    }

    @Test("calls in progress at shutdown are recorded as ended by the gateway")
    func shutdownEndsCalls() throws {
        let fraud = try FraudHarness()
        _ = try fraud.answeredCall(callID: "up-1")
        fraud.harness.proxy.endCallsInProgress()
        #expect(fraud.records.map(\.hangup) == [.gateway])
        #expect(fraud.records.first?.disposition == .answered)
    }

    @Test("emergency calls pass for a suspended account")
    func emergencyPasses() throws {
        let fraud = try FraudHarness()
        fraud.control.sync(
            suspensions: [AccountSuspension(account: "201", since: Date(), rule: "operator", reason: "test")], resets: [:], resetsAfter: .distantPast)
        #expect(fraud.place(to: "01632960123", callID: "e-0").map(\.message.statusCode) == [100, 403])
        #expect(fraud.place(to: "999", callID: "e-1").contains { $0.peer == ProxyHarness.carrier })
    }
}

@Suite("Live calls against each account's normal")
struct FraudAnomalyGatewayTests {
    /// Four weeks of account 201's national calls, every day from 08:00 to 20:00, ending yesterday.
    static func history() -> [CallDetailRecord] {
        let now = Date()
        var records: [CallDetailRecord] = []
        for day in 1...28 {
            for hour in stride(from: 8, to: 20, by: 2) {
                let start = now.addingTimeInterval(-Double(day) * 86_400 + Double(hour - 14) * 3_600)
                records.append(CallDetailRecord(callID: "h-\(day)-\(hour)", direction: .outbound, from: "201", to: "01632960123", account: "201",
                                                source: "127.0.0.20", trunk: "carrier", start: start, answer: start.addingTimeInterval(5),
                                                end: start.addingTimeInterval(125), disposition: .answered))
            }
        }
        return records
    }

    @Test("a first-ever call to a high-risk country is held with anomalies.action block (403, a fraud event naming the history); the account's usual call goes through")
    func firstHighRiskCallHeld() throws {
        let fraud = try FraudHarness { config in
            config.defaultClassOfService = "unrestricted"
            config.anomalies.action = .block
        }
        fraud.control.learn(history: Self.history())
        let refused = fraud.place(to: "00252612345678", callID: "risky-1")
        #expect(refused.contains { $0.message.statusCode == 403 }, "\(refused.map { $0.message.statusCode ?? 0 })")
        #expect(!refused.contains { $0.message.method == .invite && $0.peer == ProxyHarness.carrier })
        let event = try #require(fraud.events.first { $0.kind == .fraud && $0.rule == "first-destination" })
        #expect(event.detail.contains("high-risk number in +252") && event.detail.contains("calls, none abroad"), "\(event.detail)")
        #expect(fraud.records.last?.rule == "first-destination" && fraud.records.last?.disposition == .rejected)

        #expect(event.detail.contains("held: `tollgate account allow 201 +252 high-risk` lets such calls through"), "\(event.detail)")

        _ = try fraud.answeredCall(callID: "usual-1")
        #expect(fraud.events.filter { $0.kind == .fraud }.count == 1, "the usual call raises nothing")

        // The operator allows it: the next call there goes through.
        fraud.control.setAllowances([(account: "201", destination: "+252"), (account: "201", destination: "high-risk")])
        let allowed = fraud.place(to: "00252612345678", callID: "risky-again")
        #expect(allowed.contains { $0.message.method == .invite && $0.peer == ProxyHarness.carrier })
    }

    @Test("with the default action the anomaly is reported and the call goes on; an account without history is left to the thresholds")
    func alarmOnly() throws {
        let fraud = try FraudHarness { config in config.defaultClassOfService = "unrestricted" }
        fraud.control.learn(history: Self.history())
        let sent = fraud.place(to: "00252612345678", callID: "risky-2")
        #expect(sent.contains { $0.message.method == .invite && $0.peer == ProxyHarness.carrier })
        #expect(fraud.events.contains { $0.kind == .fraud && $0.rule == "first-destination" && $0.severity == .critical })

        let other = fraud.place(to: "00252612345679", account: "777", callID: "new-1")
        #expect(other.contains { $0.message.method == .invite })
        #expect(!fraud.events.contains { $0.rule == "first-destination" && $0.detail.contains("account 777") })
    }

    @Test("a reload that turns anomalies on asks once for the store's history; a reload that keeps them keeps the baselines")
    func reloadTurnsAnomaliesOn() throws {
        var config = FraudConfig()
        config.anomalies.enabled = false
        let classifier = NumberClassifier(config: config.numbering, prefixes: try HighRiskPrefixes.shipped())
        let control = try FraudControl(config: config, classifier: classifier)
        #expect(control.detector == nil && !control.needsHistory)
        config.anomalies.enabled = true
        config.anomalies.historyDays = 30
        try control.replace(config: config, classifier: classifier)
        #expect(control.needsHistory && control.historyDays == 30)
        control.learn(history: Self.history())
        #expect(!control.needsHistory && control.detector?.baselines["201"]?.calls == 168)
        try control.replace(config: config, classifier: classifier)
        #expect(!control.needsHistory && control.detector?.baselines["201"]?.calls == 168)
    }

    @Test("with the default thresholds, a warning within the account's own normal is no event; a critical still is")
    func warningsWithinNormal() throws {
        var config = FraudConfig()
        config.defaultClassOfService = "unrestricted"
        let classifier = NumberClassifier(config: config.numbering, prefixes: try HighRiskPrefixes.shipped())
        let control = try FraudControl(config: config, classifier: classifier)
        // Every day for four weeks, account 300 calls abroad 7 times within an hour.
        var history: [CallDetailRecord] = []
        let now = Date()
        for day in 1...28 {
            for index in 0..<7 {
                let start = now.addingTimeInterval(-Double(day) * 86_400 + Double(index) * 300)
                history.append(CallDetailRecord(callID: "h-\(day)-\(index)", direction: .outbound, from: "300", to: "004930123456\(index)",
                                                account: "300", source: "127.0.0.20", start: start, answer: start + 5, end: start + 65,
                                                disposition: .answered))
            }
        }
        control.learn(history: history)
        let warning = FraudAlarm(rule: .internationalPerHour, severity: .warning, scope: .account, account: "300", value: 6, limit: 5,
                                 windowStart: now.addingTimeInterval(-3_600), windowEnd: now, callID: "x", detail: "6 in an hour")
        #expect(!control.shouldReport(warning, at: now), "six calls abroad in an hour are this account's normal")
        var other = warning
        other.account = "301"
        #expect(control.shouldReport(other, at: now), "an account with no history gets the warning")
        var critical = warning
        critical.severity = .critical
        critical.value = 11
        #expect(control.shouldReport(critical, at: now))
    }
}
