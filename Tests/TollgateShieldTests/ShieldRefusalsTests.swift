import Testing
import TollgateConfig
@testable import TollgateShield
import TollgateModel

/// The engine's bans and deny-list as another thread reads them: the same answers as the engine,
/// after every kind of change.
@Suite("Shield refusals read off the loop")
struct ShieldRefusalsTests {
    typealias F = ShieldFixture
    static let other = IPAddress("127.0.0.67")!
    static let denied = IPAddress("127.0.0.99")!

    /// Whether the copy agrees with the engine for every source the tests use, at `now`.
    static func agree(_ engine: ShieldEngine, now: Double) -> Bool {
        [F.attacker, other, denied, F.phone, F.trunk, F.pbx].allSatisfy { source in
            engine.refusals.refuses(source, now: now) == engine.isRefused(source, now: now)
        }
    }

    @Test("a ban, its end, a lift, a sweep, a restore from the store and another node's changes: the copy answers as the engine")
    func followsEveryChange() throws {
        let engine = try F.engine()
        #expect(!engine.refusals.refuses(F.attacker, now: 1000))

        _ = try #require(engine.ban(F.attacker, rule: "test", reason: "test", now: 1000, seconds: 100))
        #expect(engine.refusals.refuses(F.attacker, now: 1050))
        #expect(!engine.refusals.refuses(F.attacker, now: 1100), "ended")
        #expect(Self.agree(engine, now: 1050))

        #expect(engine.lift(F.attacker, now: 1050))
        #expect(!engine.refusals.refuses(F.attacker, now: 1050))

        _ = engine.ban(F.attacker, rule: "test", reason: "test", now: 1000, seconds: 100)
        _ = engine.ban(Self.other, rule: "test", reason: "test", now: 1000, seconds: 1000)
        engine.sweep(now: 1200)
        #expect(!engine.refusals.refuses(F.attacker, now: 1050), "swept: the copy forgets it too")
        #expect(engine.refusals.refuses(Self.other, now: 1200))

        let stored = ShieldBan(source: F.attacker, since: 1200, until: 5000, offences: 2, rule: "operator", reason: "by hand")
        engine.restoreBans([stored], now: 1200)
        #expect(engine.refusals.refuses(F.attacker, now: 1300))
        #expect(engine.refusals.refuses(Self.other, now: 1300), "this engine's own ban, not yet saved, stays")
        engine.banSaved(Self.other, since: 1000)
        #expect(Self.agree(engine, now: 1300))

        let lifted = ShieldBan(source: F.attacker, since: 1200, until: 1250, offences: 2, rule: "operator", reason: "lifted")
        let elsewhere = ShieldBan(source: F.phone, since: 1300, until: 9000, offences: 1, rule: "operator", reason: "another node")
        engine.applyBanChanges([lifted, elsewhere], now: 1300)
        #expect(!engine.refusals.refuses(F.attacker, now: 1300))
        #expect(engine.refusals.refuses(F.phone, now: 1300))
        #expect(Self.agree(engine, now: 1300))
    }

    @Test("the deny-list, less the never-ban list, is refused, and a reload's rules replace it")
    func denyList() throws {
        let engine = try F.engine { $0.deny = [AddressRange(single: Self.denied), AddressRange(single: F.pbx)] }
        #expect(engine.refusals.refuses(Self.denied, now: 1000))
        #expect(!engine.refusals.refuses(F.pbx, now: 1000), "the PBX is never banned, whatever the deny-list says")
        #expect(Self.agree(engine, now: 1000))

        engine.replaceRules(ShieldRules(config: F.config(), fingerprints: try ScannerFingerprints.shipped()))
        #expect(!engine.refusals.refuses(Self.denied, now: 1000))
    }

    @Test("a flood of bans past the table's size keeps the copy in step with what the engine keeps")
    func fullTable() throws {
        let engine = try F.engine { $0.maxTrackedSources = 64 }
        for index in 0..<200 {
            let source = IPAddress("10.0.\(index / 256).\(index % 256)")!
            _ = engine.ban(source, rule: "test", reason: "flood", now: 1000 + Double(index), seconds: 600)
        }
        for index in 0..<200 {
            let source = IPAddress("10.0.\(index / 256).\(index % 256)")!
            #expect(engine.refusals.refuses(source, now: 1300) == engine.isRefused(source, now: 1300), "\(source)")
        }
    }
}
