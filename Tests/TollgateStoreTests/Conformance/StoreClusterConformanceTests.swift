import Foundation
import Testing
import TollgateModel
import TollgateStore

@Suite("Store conformance: nodes and shared call limits")
struct StoreClusterConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let day = Date(timeIntervalSince1970: 1_749_945_600)

    static func admission(_ callID: String, account: String = "1001", node: String = "a", at time: Date = now, dayStart: Date = day,
                          concurrent: Int? = nil, perMinute: Int? = nil, perDay: Int? = nil,
                          global: SharedCallLimits = SharedCallLimits()) -> SharedCallAdmission {
        SharedCallAdmission(callID: callID, account: account, node: node, time: time, dayStart: dayStart,
                            limits: SharedCallLimits(concurrent: concurrent, perMinute: perMinute, perDay: perDay), global: global)
    }

    @Test("a node registers, beats, is listed with the calls it holds, and is removed with its calls released", arguments: StoreBackend.all)
    func nodes(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let node = ClusterNode(name: "edge-a", listeners: "udp:127.0.0.1:5060", version: "1.0", started: Self.now, lastSeen: Self.now)
        try await store.registerNode(node)
        try await store.registerNode(ClusterNode(name: "edge-b", listeners: "udp:127.0.0.2:5060", version: "1.0", started: Self.now, lastSeen: Self.now))
        #expect(try await store.heartbeat(node: "edge-a", at: Self.now.addingTimeInterval(5)))
        #expect(try await store.heartbeat(node: "edge-a", at: Self.now.addingTimeInterval(3)), "an older beat arriving late moves nothing back")
        #expect(try await store.heartbeat(node: "nobody", at: Self.now) == false)
        #expect(try await store.admitCall(Self.admission("c1", node: "edge-a")) == .admitted)
        #expect(try await store.admitCall(Self.admission("c2", node: "edge-a")) == .admitted)

        let listed = try await store.nodes()
        #expect(listed.map(\.name) == ["edge-a", "edge-b"])
        #expect(listed[0].lastSeen == Self.now.addingTimeInterval(5))
        #expect(listed[0].activeCalls == 2)
        #expect(listed[0].listeners == "udp:127.0.0.1:5060")
        #expect(listed[1].activeCalls == 0)

        #expect(try await store.removeNode(named: "edge-a"))
        #expect(try await store.removeNode(named: "edge-a") == false)
        #expect(try await store.nodes().map(\.name) == ["edge-b"])
        #expect(try await store.sharedCounts(account: "1001", at: Self.now, dayStart: Self.day).concurrent == 0)
    }

    @Test("the call past a concurrent limit is refused and counts nothing; a release makes room", arguments: StoreBackend.all)
    func concurrent(backend: StoreBackend) async throws {
        let store = try await backend.make()
        for index in 1...3 { #expect(try await store.admitCall(Self.admission("c\(index)", concurrent: 3)) == .admitted) }
        #expect(try await store.admitCall(Self.admission("c4", concurrent: 3))
                == .refused(SharedCallRefusal(account: "1001", limit: .concurrent, value: 3)))
        #expect(try await store.sharedCounts(account: "1001", at: Self.now, dayStart: Self.day)
                == SharedCallCounts(concurrent: 3, lastMinute: 3, today: 3))
        #expect(try await store.admitCall(Self.admission("c1", concurrent: 3)) == .admitted, "a retransmission is the same call")
        #expect(try await store.releaseCall(callID: "c2"))
        #expect(try await store.releaseCall(callID: "c2") == false, "released once")
        #expect(try await store.admitCall(Self.admission("c5", concurrent: 3)) == .admitted)
        #expect(try await store.admitCall(Self.admission("c6", account: "1002", concurrent: 3)) == .admitted, "another account's count")
        #expect(try await store.sharedCounts(account: nil, at: Self.now, dayStart: Self.day)
                == SharedCallCounts(concurrent: 4, lastMinute: 5, today: 5))
    }

    @Test("calls per minute count a sliding 60 s; calls per day start again with the next day", arguments: StoreBackend.all)
    func rates(backend: StoreBackend) async throws {
        let store = try await backend.make()
        for index in 0..<2 {
            let verdict = try await store.admitCall(Self.admission("m\(index)", at: Self.now.addingTimeInterval(Double(index) * 30), perMinute: 2))
            #expect(verdict == .admitted)
            _ = try await store.releaseCall(callID: "m\(index)")
        }
        #expect(try await store.admitCall(Self.admission("m2", at: Self.now.addingTimeInterval(59), perMinute: 2))
                == .refused(SharedCallRefusal(account: "1001", limit: .perMinute, value: 2)))
        #expect(try await store.admitCall(Self.admission("m3", at: Self.now.addingTimeInterval(61), perMinute: 2)) == .admitted,
                "the first call left the window")

        #expect(try await store.admitCall(Self.admission("d1", account: "2001", perDay: 1)) == .admitted)
        #expect(try await store.admitCall(Self.admission("d2", account: "2001", perDay: 1))
                == .refused(SharedCallRefusal(account: "2001", limit: .perDay, value: 1)))
        let tomorrow = Self.day.addingTimeInterval(86_400)
        #expect(try await store.admitCall(Self.admission("d3", account: "2001", at: tomorrow.addingTimeInterval(60), dayStart: tomorrow, perDay: 1))
                == .admitted)
    }

    @Test("the limit of all accounts together holds across accounts, and a refused call counts in neither", arguments: StoreBackend.all)
    func global(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let global = SharedCallLimits(concurrent: 2)
        #expect(try await store.admitCall(Self.admission("g1", account: "1001", global: global)) == .admitted)
        #expect(try await store.admitCall(Self.admission("g2", account: "1002", global: global)) == .admitted)
        #expect(try await store.admitCall(Self.admission("g3", account: "1003", global: global))
                == .refused(SharedCallRefusal(account: nil, limit: .concurrent, value: 2)))
        #expect(try await store.sharedCounts(account: "1003", at: Self.now, dayStart: Self.day) == SharedCallCounts())
        #expect(try await store.admitCall(Self.admission("z", account: "1004", concurrent: 0)) == .refused(
            SharedCallRefusal(account: "1004", limit: .concurrent, value: 0)), "a limit of zero admits nothing")
    }

    @Test("the calls of a node whose heartbeat lapsed are released and stop counting; a live node's stay", arguments: StoreBackend.all)
    func deadNode(backend: StoreBackend) async throws {
        let store = try await backend.make()
        for name in ["live", "dead"] {
            try await store.registerNode(ClusterNode(name: name, listeners: "", version: "1", started: Self.now, lastSeen: Self.now))
        }
        for index in 1...2 {
            #expect(try await store.admitCall(Self.admission("live\(index)", node: "live", concurrent: 4)) == .admitted)
            #expect(try await store.admitCall(Self.admission("dead\(index)", node: "dead", concurrent: 4)) == .admitted)
        }
        #expect(try await store.admitCall(Self.admission("x", node: "live", concurrent: 4)) != .admitted)
        _ = try await store.heartbeat(node: "live", at: Self.now.addingTimeInterval(30))
        #expect(try await store.releaseCalls(ofNodesSilentSince: Self.now.addingTimeInterval(20)) == 2)
        #expect(try await store.releaseCalls(ofNodesSilentSince: Self.now.addingTimeInterval(20)) == 0)
        #expect(try await store.sharedCounts(account: "1001", at: Self.now, dayStart: Self.day).concurrent == 2)
        #expect(try await store.nodes().map(\.activeCalls) == [0, 2])
        #expect(try await store.admitCall(Self.admission("y", node: "live", concurrent: 4)) == .admitted)
    }

    @Test("60 calls admitted at once through two connections against a limit of 10: exactly 10 admitted", arguments: StoreBackend.shared)
    func raceAtTheLimit(backend: StoreBackend) async throws {
        let (first, second) = try await backend.makePair()
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<60 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { try await store.admitCall(Self.admission("r\(index)", node: index.isMultiple(of: 2) ? "a" : "b", concurrent: 10)) == .admitted }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 10)
        #expect(try await first.sharedCounts(account: "1001", at: Self.now, dayStart: Self.day).concurrent == 10)
    }

    @Test("the store's clock is the time now (the test server runs on this machine)", arguments: StoreBackend.all)
    func clock(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let before = Date()
        let theirs = try await store.databaseTime()
        let after = Date()
        #expect(theirs.timeIntervalSince(before) > -1 && after.timeIntervalSince(theirs) > -1, "\(before) \(theirs) \(after)")
    }
}
