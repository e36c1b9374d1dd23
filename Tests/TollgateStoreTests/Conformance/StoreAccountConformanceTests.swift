import Foundation
import Testing
import TollgateStore
import TollgateModel

@Suite("Store conformance: accounts: suspensions, snapshots, counter resets, allowances")
struct StoreAccountConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func suspension(_ account: String, at offset: TimeInterval = 0, rule: String = "daily-minutes") -> AccountSuspension {
        AccountSuspension(account: account, since: now.addingTimeInterval(offset), rule: rule, reason: "130 minutes today, limit 120")
    }

    static func snapshot(_ account: String, callsToday: Int = 7, group: String? = "sales", prefix: String? = "882") -> AccountSnapshot {
        AccountSnapshot(account: account, group: group, classOfService: "international", callsLastMinute: 2, concurrentCalls: 1,
                        callsToday: callsToday, internationalLastHour: 3, shortCallRun: 4, shortCallPrefix: prefix,
                        minutesToday: 52.75, time: now)
    }

    @Test("saveSuspension suspends the account and bumps the accounts revision", arguments: StoreBackend.all)
    func save(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.accountsRevision() == 0)
        #expect(try await store.suspension(account: "1001") == nil)
        #expect(try await store.suspensionRecord(account: "1001") == nil)

        let suspension = Self.suspension("1001")
        try await store.saveSuspension(suspension)
        #expect(try await store.suspension(account: "1001") == suspension)
        #expect(try await store.suspensionRecord(account: "1001") == SuspensionRecord(suspension: suspension))
        #expect(try await store.activeSuspensions() == [suspension])
        #expect(try await store.accountsRevision() == 1)
        #expect(try await store.bansRevision() == 0, "the bans revision is not touched")
    }

    @Test("liftSuspension keeps the record with the time it was lifted, and says whether one was in force", arguments: StoreBackend.all)
    func liftKeepsHistory(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.liftSuspension(account: "1001", at: Self.now) == false, "nothing to lift")
        #expect(try await store.accountsRevision() == 0, "no change, no bump")

        let suspension = Self.suspension("1001")
        try await store.saveSuspension(suspension)
        let liftTime = Self.now.addingTimeInterval(600)
        #expect(try await store.liftSuspension(account: "1001", at: liftTime))
        #expect(try await store.accountsRevision() == 2)
        #expect(try await store.suspension(account: "1001") == nil)
        #expect(try await store.activeSuspensions().isEmpty)
        let record = try #require(try await store.suspensionRecord(account: "1001"))
        #expect(record.suspension == suspension)
        #expect(record.lifted == liftTime)
        #expect(!record.isActive)

        #expect(try await store.liftSuspension(account: "1001", at: liftTime.addingTimeInterval(60)) == false, "already lifted")
        #expect(try await store.suspensionRecord(account: "1001")?.lifted == liftTime, "the first lift time stays")
        #expect(try await store.accountsRevision() == 2)
    }

    @Test("a new suspension after a lift replaces the record and is in force again", arguments: StoreBackend.all)
    func suspendAgain(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.saveSuspension(Self.suspension("1001"))
        _ = try await store.liftSuspension(account: "1001", at: Self.now.addingTimeInterval(60))
        let second = Self.suspension("1001", at: 3600, rule: "operator")
        try await store.saveSuspension(second)
        #expect(try await store.suspensionRecord(account: "1001") == SuspensionRecord(suspension: second, lifted: nil))
        #expect(try await store.suspension(account: "1001") == second)
        #expect(try await store.accountsRevision() == 3)
    }

    @Test("activeSuspensions lists the suspensions in force, the oldest first, and no lifted one", arguments: StoreBackend.all)
    func activeList(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let late = Self.suspension("1003", at: 120)
        let early = Self.suspension("1002", at: 10)
        let lifted = Self.suspension("1001", at: 0)
        for suspension in [late, early, lifted] { try await store.saveSuspension(suspension) }
        _ = try await store.liftSuspension(account: "1001", at: Self.now.addingTimeInterval(300))
        #expect(try await store.activeSuspensions() == [early, late])
    }

    @Test("saveAccountSnapshots round-trips every field, nils included, replaces by account, and leaves the revision alone", arguments: StoreBackend.all)
    func snapshots(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.accountSnapshot(account: "1001") == nil)
        #expect(try await store.accountSnapshots().isEmpty)

        let full = Self.snapshot("1001")
        let sparse = Self.snapshot("1002", group: nil, prefix: nil)
        try await store.saveAccountSnapshots([full, sparse])
        #expect(try await store.accountSnapshot(account: "1001") == full)
        #expect(try await store.accountSnapshot(account: "1002") == sparse)

        var newer = Self.snapshot("1001", callsToday: 9)
        newer.time = Self.now.addingTimeInterval(30)
        try await store.saveAccountSnapshots([newer])
        #expect(try await store.accountSnapshot(account: "1001") == newer)
        #expect(try await store.accountSnapshots() == [newer, sparse])
        try await store.saveAccountSnapshots([])
        #expect(try await store.accountsRevision() == 0)
    }

    @Test("requestCounterReset keeps the latest request per account and bumps the revision each time", arguments: StoreBackend.all)
    func counterResets(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.counterResets().isEmpty)
        try await store.requestCounterReset(account: "1001", at: Self.now)
        try await store.requestCounterReset(account: "1002", at: Self.now.addingTimeInterval(5))
        try await store.requestCounterReset(account: "1001", at: Self.now.addingTimeInterval(10))
        #expect(try await store.counterResets() == ["1001": Self.now.addingTimeInterval(10), "1002": Self.now.addingTimeInterval(5)])
        #expect(try await store.accountsRevision() == 3)
    }

    @Test("saveAllowance keeps each account's destinations in the order given, once each; removeAllowance withdraws one; the revision moves only on a change",
          arguments: StoreBackend.all)
    func allowances(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.allowances().isEmpty)
        try await store.saveAllowance(account: "3021", destination: "+371", at: Self.now)
        try await store.saveAllowance(account: "3021", destination: "premium", at: Self.now.addingTimeInterval(1))
        try await store.saveAllowance(account: "201", destination: "+252", at: Self.now.addingTimeInterval(2))
        let revision = try await store.accountsRevision()
        #expect(revision == 3)
        try await store.saveAllowance(account: "3021", destination: "+371", at: Self.now.addingTimeInterval(3))
        #expect(try await store.accountsRevision() == revision, "allowing again changes nothing")
        let stored = try await store.allowances()
        #expect(stored.map { "\($0.account) \($0.destination)" } == ["3021 +371", "3021 premium", "201 +252"])

        #expect(try await store.removeAllowance(account: "3021", destination: "premium"))
        #expect(try await store.accountsRevision() == revision + 1)
        #expect(try await !store.removeAllowance(account: "3021", destination: "premium"), "nothing left to withdraw")
        #expect(try await store.accountsRevision() == revision + 1)
        #expect(try await store.allowances().map { "\($0.account) \($0.destination)" } == ["3021 +371", "201 +252"])
    }

    @Test("a suspension saved through one connection is seen by another with a new accounts revision", arguments: StoreBackend.shared)
    func sharedFile(backend: StoreBackend) async throws {
        let (gateway, command) = try await backend.makePair()
        let before = try await gateway.accountsRevision()
        try await command.saveSuspension(Self.suspension("1001", rule: "operator"))
        #expect(try await gateway.accountsRevision() > before)
        #expect(try await gateway.activeSuspensions().map(\.account) == ["1001"])
        let afterSave = try await gateway.accountsRevision()
        try await command.requestCounterReset(account: "1001", at: Self.now)
        #expect(try await gateway.accountsRevision() > afterSave)
    }
}
