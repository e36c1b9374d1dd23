import Foundation
import NIOCore
import NIOPosix
import SIPCore
import Testing
import TollgateConfig
import TollgateFraud
import TollgateModel
import TollgateStoreSQLite

@testable import TollgateGateway

@Suite("Shared limits while the database is away")
struct SharedLimitsCallHookTests {
    /// A hook over a store it will not reach (the membership says the database is lost), an account
    /// limit of 4 calls at once, and two live nodes at the last heartbeat.
    static func hook(_ action: ClusterConfig.DatabaseLossAction) throws -> (SharedLimitsCallHook, ProxyHarness, ActivityRecorder) {
        var config = FraudConfig()
        config.defaultClassOfService = "unrestricted"
        config.thresholds.concurrentCalls = FraudConfig.Level(warning: nil, critical: 4)
        let control = try FraudControl(config: config, classifier: NumberClassifier(config: config.numbering, prefixes: try HighRiskPrefixes.shipped()))
        let membership = ClusterMembership(nodeName: "edge-a", settings: ClusterConfig(onDatabaseLoss: action))
        membership.heard(liveNodes: 2)
        membership.lostDatabase()
        let harness = try ProxyHarness()
        let recorder = ActivityRecorder(harness.proxy)
        let hook = SharedLimitsCallHook(store: try SQLiteStore.inMemory(), control: control, membership: membership, events: harness.proxy.events,
                                        loop: harness.loop, logger: harness.proxy.logger)
        return (hook, harness, recorder)
    }

    /// Begins a call of account 201 towards a trunk; the hook's verdict and the call's record.
    static func begin(_ hook: SharedLimitsCallHook, _ callID: String) -> (CallHookVerdict, CallDetailRecord) {
        let request = SIPMessage(method: .invite, uri: "sip:01632960123@trunk", headers: [(.from, "<sip:201@127.0.0.20>;tag=1")])
        var start = CallStart(key: CallKey(callID: callID, callerTag: "1"), request: request, source: "127.0.0.20", zone: .internal,
                              trunk: "carrier", towardsTrunk: true, time: Date())
        var record = CallDetailRecord(callID: callID, direction: .outbound, from: "201", to: "01632960123", account: "201", source: "127.0.0.20",
                                      start: start.time, end: start.time, disposition: .answered)
        #expect(hook.prepare(start) == nil, "a lost database is not waited for")
        let verdict = hook.callBegins(&start, record: &record)
        return (verdict, record)
    }

    @Test("fail-open: calls are admitted against this node's share of the limit (4 over 2 nodes: 2), the next is refused with an event, an ended call makes room")
    func failOpenShare() throws {
        let (hook, _, recorder) = try Self.hook(.failOpen)
        #expect(Self.begin(hook, "c1").0 == .proceed)
        #expect(Self.begin(hook, "c2").0 == .proceed)
        let (verdict, record) = Self.begin(hook, "c3")
        guard case .refuse(let status, let reason, _) = verdict else {
            Issue.record("the third call was admitted past this node's share")
            return
        }
        #expect(status == 403 && reason.contains("this node's share (2 of 2 nodes)"), "\(status) \(reason)")
        #expect(record.rule == "concurrent-calls")
        #expect(recorder.events.contains { $0.kind == .fraud && $0.rule == "concurrent-calls" })
        var ended = record
        _ = hook.callEnds(CallEnd(key: CallKey(callID: "c1", callerTag: "1"), reason: .hungUp(.caller), time: Date(), source: "127.0.0.20"),
                          record: &ended)
        #expect(Self.begin(hook, "c4").0 == .proceed)
    }

    @Test("an admission the server writes after its deadline is released when the call ends, and owed at once: no count is left behind")
    func lateAdmissionReleased() async throws {
        var config = FraudConfig()
        config.defaultClassOfService = "unrestricted"
        config.thresholds.concurrentCalls = FraudConfig.Level(warning: nil, critical: 4)
        let control = try FraudControl(config: config, classifier: NumberClassifier(config: config.numbering, prefixes: try HighRiskPrefixes.shipped()))
        let membership = ClusterMembership(nodeName: "edge-a", settings: ClusterConfig(onDatabaseLoss: .failOpen, admissionTimeout: 0.05))
        membership.heard(liveNodes: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-late-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try FlakyStore(path: folder.appendingPathComponent("tollgate.db").path, failures: 0)
        store.lateAdmissions.withLockedValue { $0 = .milliseconds(200) }
        let harness = try ProxyHarness()
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let hook = SharedLimitsCallHook(store: store, control: control, membership: membership, events: harness.proxy.events, loop: loop,
                                        logger: harness.proxy.logger)
        let request = SIPMessage(method: .invite, uri: "sip:01632960123@trunk", headers: [(.from, "<sip:201@127.0.0.20>;tag=1")])
        let key = CallKey(callID: "late-1", callerTag: "1")
        let start = CallStart(key: key, request: request, source: "127.0.0.20", zone: .internal, trunk: "carrier", towardsTrunk: true, time: Date())
        let prepared = try await loop.submit { hook.prepare(start) }.get()
        try await prepared?.get()
        #expect(!membership.databaseReachable, "the deadline passed")
        #expect(membership.takeOwedReleases() == ["late-1"], "owed at once, in case the server writes it anyway")
        let verdict = try await loop.submit { () -> CallHookVerdict in
            var begun = start
            var record = CallDetailRecord(callID: "late-1", direction: .outbound, from: "201", to: "01632960123", account: "201",
                                          source: "127.0.0.20", start: start.time, end: start.time, disposition: .answered)
            return hook.callBegins(&begun, record: &record)
        }.get()
        #expect(verdict == .proceed, "admitted on this node's share while the database is away")

        // The server writes the admission after all; the call then ends.
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await store.base.sharedCounts(account: "201", at: Date(), dayStart: Date().addingTimeInterval(-3600)).concurrent == 1)
        try await loop.submit {
            var record = CallDetailRecord(callID: "late-1", direction: .outbound, from: "201", to: "01632960123", account: "201",
                                          source: "127.0.0.20", start: start.time, end: Date(), disposition: .answered)
            _ = hook.callEnds(CallEnd(key: key, reason: .hungUp(.caller), time: Date(), source: "127.0.0.20"), record: &record)
        }.get()
        var active = 1
        for _ in 0..<100 where active > 0 {
            try await Task.sleep(for: .milliseconds(20))
            active = try await store.base.sharedCounts(account: "201", at: Date(), dayStart: Date().addingTimeInterval(-3600)).concurrent
        }
        #expect(active == 0, "the late admission's count was released when the call ended")
    }

    @Test("fail-closed: a call that needs a shared counter is refused with 503 and an event while the database is away")
    func failClosed() throws {
        let (hook, _, recorder) = try Self.hook(.failClosed)
        let (verdict, record) = Self.begin(hook, "c1")
        guard case .refuse(let status, let reason, _) = verdict else {
            Issue.record("a call was admitted with no shared count")
            return
        }
        #expect(status == 503 && reason.contains("fail-closed"))
        #expect(record.rule == "database-lost")
        #expect(recorder.events.contains { $0.kind == .fraud && $0.rule == "database-lost" })
    }
}
