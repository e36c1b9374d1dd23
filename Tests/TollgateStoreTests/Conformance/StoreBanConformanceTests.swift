import Foundation
import Testing
import TollgateStore
import TollgateModel

@Suite("Store conformance: bans")
struct StoreBanConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func ban(_ source: String, for seconds: TimeInterval, offences: Int = 1, origin: Ban.Origin = .automatic,
                    since: Date = now) -> Ban {
        Ban(source: source, since: since, until: since.addingTimeInterval(seconds), rule: "auth-failures",
            reason: "too many failed registrations", offences: offences, origin: origin)
    }

    @Test("saveBan inserts, then replaces the record of the same source, and bumps the revision each time", arguments: StoreBackend.all)
    func upsert(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.bansRevision() == 0)
        #expect(try await store.ban(source: "192.0.2.1") == nil)

        let first = Self.ban("192.0.2.1", for: 600)
        try await store.saveBan(first)
        #expect(try await store.ban(source: "192.0.2.1") == first)
        let afterFirst = try await store.bansRevision()
        #expect(afterFirst == 1)

        var second = Self.ban("192.0.2.1", for: 3600, offences: 2, origin: .operator_)
        second.reason = "operator"
        try await store.saveBan(second)
        #expect(try await store.ban(source: "192.0.2.1") == second)
        #expect(try await store.allBans() == [second])
        #expect(try await store.bansRevision() == 2)
    }

    @Test("activeBans lists only bans in force, soonest to expire first", arguments: StoreBackend.all)
    func activeVersusExpired(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let long = Self.ban("192.0.2.1", for: 7200)
        let short = Self.ban("2001:db8::1", for: 60)
        let expired = Self.ban("198.51.100.7", for: 60, since: Self.now.addingTimeInterval(-3600))
        for ban in [long, expired, short] { try await store.saveBan(ban) }

        #expect(try await store.activeBans(at: Self.now) == [short, long])
        #expect(try await store.activeBans(at: Self.now.addingTimeInterval(61)) == [long])
        #expect(try await store.activeBans(at: long.until).isEmpty, "a ban ends at its until")
        #expect(try await store.allBans() == [expired, short, long])
        #expect(try await store.ban(source: "198.51.100.7") == expired)
    }

    @Test("liftBan ends an active ban now, keeps the record and its offences, and bumps the revision", arguments: StoreBackend.all)
    func lift(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.saveBan(Self.ban("192.0.2.1", for: 600, offences: 3))
        let before = try await store.bansRevision()

        let liftTime = Self.now.addingTimeInterval(30)
        #expect(try await store.liftBan(source: "192.0.2.1", at: liftTime))
        let lifted = try #require(try await store.ban(source: "192.0.2.1"))
        #expect(lifted.until == liftTime)
        #expect(lifted.offences == 3)
        #expect(lifted.since == Self.now)
        #expect(!lifted.isActive(at: liftTime))
        #expect(try await store.activeBans(at: liftTime).isEmpty)
        let afterLift = try await store.bansRevision()
        #expect(afterLift > before)

        #expect(try await store.liftBan(source: "192.0.2.1", at: liftTime.addingTimeInterval(1)) == false, "already lifted")
        #expect(try await store.ban(source: "192.0.2.1")?.until == liftTime, "an expired record keeps its end time")
        #expect(try await store.liftBan(source: "203.0.113.9", at: liftTime) == false, "never banned")
        #expect(try await store.bansRevision() == afterLift, "nothing changed, so the revision stays")
    }

    @Test("liftAllBans lifts every active ban, leaves expired records alone and returns the count", arguments: StoreBackend.all)
    func liftAll(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let expired = Self.ban("198.51.100.7", for: 60, since: Self.now.addingTimeInterval(-3600))
        try await store.saveBan(expired)
        try await store.saveBan(Self.ban("192.0.2.1", for: 600))
        try await store.saveBan(Self.ban("2001:db8::1", for: 6000, offences: 4))
        let before = try await store.bansRevision()

        #expect(try await store.liftAllBans(at: Self.now) == 2)
        #expect(try await store.activeBans(at: Self.now).isEmpty)
        #expect(try await store.ban(source: "198.51.100.7") == expired)
        #expect(try await store.ban(source: "2001:db8::1")?.offences == 4)
        let after = try await store.bansRevision()
        #expect(after > before)

        #expect(try await store.liftAllBans(at: Self.now) == 0)
        #expect(try await store.bansRevision() == after)
    }

    @Test("banChanges gives the records saved or lifted after a revision, once each as they are now, and the revision to ask from next",
          arguments: StoreBackend.all)
    func changesAfterRevision(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.banChanges(after: 0) == ([], 0))
        let first = Self.ban("192.0.2.1", for: 600)
        try await store.saveBan(first)
        let (afterFirst, revision1) = try await store.banChanges(after: 0)
        #expect(afterFirst == [first])
        #expect(revision1 == (try await store.bansRevision()))
        #expect(try await store.banChanges(after: revision1) == ([], revision1), "nothing new")

        let second = Self.ban("2001:db8::1", for: 60)
        try await store.saveBan(second)
        #expect(try await store.liftBan(source: "192.0.2.1", at: Self.now.addingTimeInterval(5)))
        let (changed, revision2) = try await store.banChanges(after: revision1)
        var lifted = first
        lifted.until = Self.now.addingTimeInterval(5)
        #expect(changed == [second, lifted], "in the order they changed, the lift as it is now")
        #expect(revision2 > revision1)

        // A lift that finds nothing in force changes nothing and is not reported.
        #expect(try await store.liftBan(source: "192.0.2.1", at: Self.now.addingTimeInterval(9)) == false)
        #expect(try await store.banChanges(after: revision2) == ([], revision2))

        // A record changed twice since the reader looked comes once.
        var again = second
        again.offences = 2
        try await store.saveBan(again)
        #expect(try await store.liftAllBans(at: Self.now.addingTimeInterval(10)) == 1)
        var liftedAgain = again
        liftedAgain.until = Self.now.addingTimeInterval(10)
        #expect(try await store.banChanges(after: revision2).bans == [liftedAgain])
    }

    @Test("a reader on another connection catches up on every change from the revision it saw", arguments: StoreBackend.shared)
    func changesAcrossConnections(backend: StoreBackend) async throws {
        let (node, command) = try await backend.makePair()
        let seen = try await node.bansRevision()
        for index in 1...20 { try await command.saveBan(Self.ban("192.0.2.\(index)", for: 600)) }
        let (changed, _) = try await node.banChanges(after: seen)
        #expect(changed.map(\.source) == (1...20).map { "192.0.2.\($0)" })
    }
}
