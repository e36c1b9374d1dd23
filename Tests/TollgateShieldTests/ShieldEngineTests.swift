import SIPCore
import Testing
import TollgateConfig
@testable import TollgateShield
import TollgateModel

@Suite("Shield engine: requests")
struct ShieldRequestTests {
    typealias F = ShieldFixture

    @Test("A scanner fingerprint bans at the first request and says which tool")
    func scannerBansAtOnce() throws {
        let engine = try F.engine()
        let decision = engine.checkRequest(F.request("OPTIONS", userAgent: "friendly-scanner"), source: F.attacker, now: 1000)
        #expect(decision.verdict == .drop)
        let ban = try #require(decision.ban)
        #expect(ban.rule == "scanner-fingerprint")
        #expect(ban.reason.contains("sipvicious"))
        #expect(ban.until - ban.since == 600)
        #expect(decision.findings.contains { $0.kind == "scanner" })
        #expect(engine.isRefused(F.attacker, now: 1001))
        #expect(engine.trustLevel(of: F.attacker, now: 1001) == .denied)
    }

    @Test("A ban expires at its end time")
    func banExpires() throws {
        let engine = try F.engine()
        _ = engine.checkRequest(F.request("OPTIONS", userAgent: "friendly-scanner"), source: F.attacker, now: 1000)
        #expect(engine.isRefused(F.attacker, now: 1599.9))
        #expect(!engine.isRefused(F.attacker, now: 1600))
    }

    @Test("Repeat offenders get longer bans, up to the maximum")
    func escalation() throws {
        let engine = try F.engine { $0.bans = ShieldConfig.BanPolicy(duration: 60, maxDuration: 1000, escalation: 4) }
        var lengths: [Double] = []
        var now = 1000.0
        for _ in 0..<4 {
            let ban = try #require(engine.ban(F.attacker, rule: "test", reason: "test", now: now))
            lengths.append(ban.until - ban.since)
            now = ban.until + 1
        }
        #expect(lengths == [60, 240, 960, 1000])
    }

    @Test("Untrusted sources get their burst, then drops, then a ban at ban_after_drops")
    func untrustedFlood() throws {
        let engine = try F.engine()
        var verdicts: [ShieldVerdict] = []
        var banAt: Int?
        for index in 1...40 {
            let decision = engine.checkRequest(F.request("OPTIONS", user: "100"), source: F.phone, now: 1000 + Double(index) * 0.001)
            verdicts.append(decision.verdict)
            if decision.ban != nil, banAt == nil { banAt = index }
        }
        // untrusted: burst 10; OPTIONS limit 10/min; 20 drops ban.
        #expect(verdicts.prefix(10).allSatisfy { $0 == .pass })
        #expect(verdicts[10] == .drop)
        #expect(banAt == 30)
    }

    @Test("Only the first drop of a window is reported, so a flood does not flood the event log")
    func rateLimitEventsOncePerWindow() throws {
        let engine = try F.engine { $0.profiles["untrusted"]?.banAfterDrops = 0 }
        var findings = 0
        for index in 0..<100 {
            findings += engine.checkRequest(F.request("INFO", user: "100"), source: F.phone, now: 1000 + Double(index) * 0.001).findings.count
        }
        #expect(findings == 1)
    }

    @Test("A trunk is never limited by default and never banned")
    func trunkUnlimited() throws {
        let engine = try F.engine()
        for index in 0..<5000 {
            let decision = engine.checkRequest(F.request("INVITE", user: "\(index)"), source: F.trunk, now: 1000 + Double(index) * 0.0001)
            #expect(decision.verdict == .pass)
        }
        #expect(engine.trustLevel(of: F.trunk, now: 1000) == .trusted)
        #expect(engine.ban(F.trunk, rule: "t", reason: "t", now: 1000) == nil)
        #expect(engine.ban(F.pbx, rule: "t", reason: "t", now: 1000) == nil)
    }

    @Test("A trunk given a limited profile is throttled but not banned")
    func trunkWithProfile() throws {
        let engine = try F.engine {
            $0.profiles["carrier"] = RateProfile(requestsPerSecond: 10, burst: 10, banAfterDrops: 5)
            $0.peers = [ShieldConfig.PeerProfile(trunk: "carrier", profile: "carrier")]
        }
        var dropped = 0
        for index in 0..<50 {
            let decision = engine.checkRequest(F.request("INVITE", user: "1"), source: F.trunk, now: 1000 + Double(index) * 0.001)
            if decision.verdict == .drop { dropped += 1 }
            #expect(decision.ban == nil)
        }
        #expect(dropped == 40)
        #expect(engine.profileName(of: F.trunk) == "carrier")
    }

    @Test("Trying ten different users from one source is extension enumeration")
    func enumeration() throws {
        let engine = try F.engine()
        var banAt: Int?
        for index in 1...12 where banAt == nil {
            let decision = engine.checkRequest(F.request("REGISTER", user: "\(100 + index)"), source: F.attacker, now: 1000 + Double(index))
            if let ban = decision.ban {
                banAt = index
                #expect(ban.rule == "extension-enumeration")
                #expect(decision.findings.contains { $0.kind == "enumeration" })
            }
        }
        #expect(banAt == 10)
    }

    @Test("A source that registered successfully is not taken for an enumerator")
    func registeredSourceExempt() throws {
        let engine = try F.engine()
        let register = F.request("REGISTER", user: "100", authorization: F.credentials)
        _ = engine.checkRequest(register, source: F.phone, now: 1000)
        let decision = engine.observeResponse(F.response(200, to: register), status: 200, to: register, source: F.phone, now: 1000)
        #expect(decision.findings.first?.kind == "trust")
        #expect(engine.trustLevel(of: F.phone, now: 1000) == .trusted)
        #expect(engine.profileName(of: F.phone) == "registered")
        for index in 1...15 {
            #expect(engine.checkRequest(F.request("REGISTER", user: "\(200 + index)"), source: F.phone, now: 1000 + Double(index)).ban == nil)
        }
    }

    @Test("INVITEs to many destinations without registering are a sweep")
    func inviteSweep() throws {
        let engine = try F.engine()
        var ban: ShieldBan?
        for index in 1...10 where ban == nil {
            ban = engine.checkRequest(F.request("INVITE", user: "x", target: "0044207946\(index)"), source: F.attacker, now: 1000 + Double(index) * 3).ban
        }
        #expect(ban?.rule == "invite-sweep")
    }

    @Test("OPTIONS over and over from a source that never registered is a sweep")
    func optionsSweep() throws {
        let engine = try F.engine { $0.optionsSweep = .init(count: 5, window: 60) }
        var rules: [String] = []
        for index in 1...5 {
            if let ban = engine.checkRequest(F.request("OPTIONS", user: "100"), source: F.attacker, now: 1000 + Double(index) * 7).ban { rules.append(ban.rule) }
        }
        #expect(rules == ["options-sweep"])
    }

    @Test("A flood of malformed messages bans; a trunk's never does")
    func malformedFlood() throws {
        let engine = try F.engine()
        var bannedAt: Int?
        for index in 1...10 where bannedAt == nil {
            if engine.noteMalformed(source: F.attacker, now: 1000 + Double(index)).ban != nil { bannedAt = index }
        }
        #expect(bannedAt == 10)
        for index in 1...50 { #expect(engine.noteMalformed(source: F.trunk, now: 1000 + Double(index)).ban == nil) }
    }

    @Test("A flood of forged or foreign media packets bans (500 a minute by default); a trunk's never does, and a slow trickle does not")
    func mediaAbuse() throws {
        let engine = try F.engine()
        var bannedAt: Int?
        for batch in 1...10 where bannedAt == nil {
            let decision = engine.noteMediaAbuse(source: F.attacker, packets: 50, now: 1000 + Double(batch))
            if decision.ban != nil {
                bannedAt = batch
                #expect(decision.findings.contains { $0.kind == "media-abuse" && $0.rule == "media-abuse" })
            }
        }
        #expect(bannedAt == 10)
        for batch in 1...20 { #expect(engine.noteMediaAbuse(source: F.trunk, packets: 50, now: 1000 + Double(batch)).ban == nil) }
        let other = IPAddress("198.51.100.99")!
        for minute in 0..<20 { #expect(engine.noteMediaAbuse(source: other, packets: 50, now: 2000 + Double(minute) * 61).ban == nil) }
    }

    @Test("The deny-list refuses before parsing; the never-ban list is only dropped")
    func denyAndNeverBan() throws {
        let engine = try F.engine {
            $0.deny = [try! AddressRange(parsing: "127.0.0.64/30")]
            $0.neverBan = [try! AddressRange(parsing: "127.0.0.30")]
        }
        #expect(engine.isRefused(F.attacker, now: 1000))
        #expect(!engine.isRefused(F.phone, now: 1000))
        let decision = engine.checkRequest(F.request("OPTIONS", userAgent: "friendly-scanner"), source: F.phone, now: 1000)
        #expect(decision.verdict == .drop)
        #expect(decision.ban == nil)
        #expect(decision.findings.contains { $0.detail.contains("not banned") })
    }

    @Test("Behind a trusted proxy, the client address it recorded is judged, not the proxy")
    func trustedProxy() throws {
        let engine = try F.engine { $0.trustedProxies = [try! AddressRange(parsing: "127.0.0.5")] }
        let proxied = F.request("OPTIONS", extra: "")
        var text = String(decoding: proxied.serialized(), as: UTF8.self)
        text = text.replacingOccurrences(of: "Via: SIP/2.0/UDP 127.0.0.30:5060;", with: "Via: SIP/2.0/UDP 127.0.0.5;branch=z9hG4bKp1\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;received=127.0.0.77;")
        let message = try SIPMessage(parsing: Array(text.utf8))
        #expect(engine.effectiveSource(IPAddress("127.0.0.5")!, message: message) == IPAddress("127.0.0.77"))
        // From anyone else, the header is ignored.
        #expect(engine.effectiveSource(F.attacker, message: message) == F.attacker)
    }

    @Test("A reload applies at once: a newly allow-listed source is trusted, its counters kept")
    func reload() throws {
        let engine = try F.engine()
        _ = engine.checkRequest(F.request("OPTIONS"), source: F.phone, now: 1000)
        #expect(engine.trustLevel(of: F.phone, now: 1000) == .untrusted)
        let config = F.config { $0.allow = [try! AddressRange(parsing: "127.0.0.30")] }
        engine.replaceRules(ShieldRules(config: config, fingerprints: try ScannerFingerprints.shipped()))
        _ = engine.checkRequest(F.request("OPTIONS"), source: F.phone, now: 1001)
        #expect(engine.trustLevel(of: F.phone, now: 1001) == .trusted)
        #expect(engine.ban(F.phone, rule: "t", reason: "t", now: 1001) == nil)
    }

    @Test("Counting goes on across the daily move of the engine's time origin")
    func epochMove() throws {
        let engine = try F.engine()
        let day = 1000 + 86_400.0 + 30
        for index in 1...5 { #expect(engine.checkRequest(F.request("REGISTER", user: "\(index)"), source: F.attacker, now: day + Double(index)).ban == nil) }
        engine.sweep(now: day + 6)
        #expect(engine.epoch == day + 6)
        var ban: ShieldBan?
        for index in 6...10 where ban == nil {
            ban = engine.checkRequest(F.request("REGISTER", user: "\(index)"), source: F.attacker, now: day + Double(index)).ban
        }
        #expect(ban?.rule == "extension-enumeration")
        #expect(ban?.since == day + 10)
    }

    @Test("The source table stays within max_tracked_sources")
    func boundedSources() throws {
        let engine = try F.engine { $0.maxTrackedSources = 1000 }
        let request = F.request("OPTIONS")
        for index in 0..<20_000 {
            _ = engine.checkRequest(request, source: IPAddress(ipv4: 0x0A00_0000 + UInt32(index)), now: 1000 + Double(index) * 0.001)
            #expect(engine.trackedSources <= 1000)
        }
    }

    @Test("The sweep forgets quiet sources and expired bans")
    func sweep() throws {
        let engine = try F.engine()
        _ = engine.checkRequest(F.request("OPTIONS"), source: F.phone, now: 1000)
        _ = engine.ban(F.attacker, rule: "t", reason: "t", now: 1000)
        engine.sweep(now: 1500)
        #expect(engine.trackedSources == 1)
        engine.sweep(now: 1700)
        #expect(engine.trackedSources == 0)
        #expect(engine.activeBans(now: 1700).isEmpty)
    }

    @Test("Stored bans come back at start; a lifted one goes, with the source's counters")
    func restoreAndLift() throws {
        let engine = try F.engine()
        let stored = ShieldBan(source: F.attacker, since: 900, until: 2000, offences: 2, rule: "flood", reason: "r")
        engine.restoreBans([stored], now: 1000)
        #expect(engine.isRefused(F.attacker, now: 1000))
        #expect(engine.lift(F.attacker, now: 1000))
        #expect(!engine.isRefused(F.attacker, now: 1000))
        // Escalation remembers the stored offences.
        #expect(engine.ban(F.attacker, rule: "t", reason: "t", now: 1000)?.offences == 3)
    }

    @Test("Another node's bans arrive as changes: one in force refuses the source, a lift there lifts it here, a ban of this node's own not yet stored stays")
    func appliesChangesFromOtherNodes() throws {
        let engine = try F.engine()
        let remote = ShieldBan(source: F.attacker, since: 900, until: 2000, offences: 2, rule: "scanner", reason: "banned by node B")
        engine.applyBanChanges([remote], now: 1000)
        #expect(engine.isRefused(F.attacker, now: 1000))

        var lifted = remote
        lifted.until = 1001
        engine.applyBanChanges([lifted], now: 1001)
        #expect(!engine.isRefused(F.attacker, now: 1001))
        #expect(engine.ban(F.attacker, rule: "t", reason: "t", now: 1002)?.offences == 3, "the other node's offences count for escalation")

        // This node's own ban, which the store has not confirmed yet, outlives an older lift arriving late.
        engine.applyBanChanges([lifted], now: 1003)
        #expect(engine.isRefused(F.attacker, now: 1003))
    }
}

@Suite("Shield engine: answers from the PBX")
struct ShieldResponseTests {
    typealias F = ShieldFixture

    @Test("Ten failed authentications ban the source; the PBX's challenge shape is learnt")
    func authFailuresBan() throws {
        let engine = try F.engine()
        var bannedAt: Int?
        for index in 1...12 where bannedAt == nil {
            let register = F.request("REGISTER", user: "100", authorization: F.credentials)
            let answer = F.response(401, to: register, headers: [(.wwwAuthenticate, F.challenge)])
            let decision = engine.observeResponse(answer, status: 401, to: register, source: F.attacker, now: 1000 + Double(index))
            #expect(decision.findings.contains { $0.kind == "auth-failure" })
            if decision.ban != nil { bannedAt = index }
        }
        #expect(bannedAt == 10)
    }

    @Test("A success resets the count, so a person mistyping now and then is never banned")
    func successResets() throws {
        let engine = try F.engine()
        for round in 0..<20 {
            let wrong = F.request("REGISTER", user: "100", authorization: F.credentials)
            let base = 1000 + Double(round) * 30
            for attempt in 0..<3 {
                let decision = engine.observeResponse(F.response(403, to: wrong), status: 403, to: wrong, source: F.phone, now: base + Double(attempt))
                #expect(decision.ban == nil)
            }
            let right = F.request("REGISTER", user: "100", authorization: F.credentials)
            _ = engine.observeResponse(F.response(200, to: right), status: 200, to: right, source: F.phone, now: base + 5)
        }
    }

    @Test("Only what the PBX verified counts: a plain challenge is no failure, and a 200 to an OPTIONS with made-up credentials promotes nothing")
    func onlyVerifiedOutcomesCount() throws {
        let engine = try F.engine()
        for index in 0..<30 {
            let register = F.request("REGISTER", user: "100")
            let answer = F.response(401, to: register, headers: [(.wwwAuthenticate, F.challenge)])
            #expect(engine.observeResponse(answer, status: 401, to: register, source: F.phone, now: 1000 + Double(index)).ban == nil)
        }
        let options = F.request("OPTIONS", authorization: F.credentials)
        _ = engine.observeResponse(F.response(200, to: options), status: 200, to: options, source: F.attacker, now: 1000)
        #expect(engine.trustLevel(of: F.attacker, now: 1000) == .untrusted)
        // Nine refused passwords, then the fake "success": the tenth refusal still bans.
        var ban: ShieldBan?
        for index in 1...10 {
            let register = F.request("REGISTER", user: "100", authorization: F.credentials)
            ban = engine.observeResponse(F.response(403, to: register), status: 403, to: register, source: F.attacker, now: 1001 + Double(index)).ban
            if index == 9 { _ = engine.observeResponse(F.response(200, to: options), status: 200, to: options, source: F.attacker, now: 1011) }
        }
        #expect(ban?.rule == "auth-failures")
    }

    @Test("A stale-nonce challenge is not a failure")
    func staleIsNoFailure() throws {
        let engine = try F.engine()
        for index in 0..<30 {
            let register = F.request("REGISTER", user: "100", authorization: F.credentials)
            let answer = F.response(401, to: register, headers: [(.wwwAuthenticate, F.challenge + ", stale=true")])
            #expect(engine.observeResponse(answer, status: 401, to: register, source: F.phone, now: 1000 + Double(index)) == .pass)
        }
    }

    @Test("One account failing from five sources raises a critical alarm, once per window")
    func accountUnderAttack() throws {
        let engine = try F.engine()
        var alarms = 0
        for index in 0..<8 {
            let source = IPAddress(ipv4: 0x7F00_0050 + UInt32(index))
            let register = F.request("REGISTER", user: "200", authorization: F.credentials.replacingOccurrences(of: "\"100\"", with: "\"200\""))
            let decision = engine.observeResponse(F.response(403, to: register), status: 403, to: register, source: source, now: 1000 + Double(index))
            alarms += decision.findings.filter { $0.kind == "account-attack" && $0.severity == .critical }.count
        }
        #expect(alarms == 1)
    }

    @Test("A 404 for an unknown user goes out as the same challenge a known user gets")
    func unknownUserLooksKnown() throws {
        let engine = try F.engine()
        let known = F.request("REGISTER", user: "100")
        var real = F.response(401, to: known, headers: [(.wwwAuthenticate, F.challenge), ("Server", "Asterisk PBX 20.5.0"), ("Allow", "INVITE, ACK, BYE")])
        real = try SIPMessage(parsing: real.serialized())
        _ = engine.observeResponse(real, status: 401, to: known, source: F.attacker, now: 1000)

        let unknown = F.request("REGISTER", user: "999")
        let notFound = F.response(404, to: unknown)
        let concealed = try #require(engine.concealedAnswer(notFound, status: 404, to: unknown, source: F.attacker, now: 1001))
        #expect(concealed.statusCode == 401)
        #expect(concealed.reasonPhrase == real.reasonPhrase)
        #expect(concealed.headerFields.map(\.name) == real.headerFields.map(\.name))
        let fake = try #require(try concealed.wwwAuthenticates().first)
        let original = try #require(try real.wwwAuthenticates().first)
        #expect(fake.realm == original.realm)
        #expect(fake.algorithm == original.algorithm)
        #expect(fake.qop == original.qop)
        #expect(fake.nonce != original.nonce)
        #expect(fake.nonce?.count == original.nonce?.count)
        #expect(fake.nonce?.contains("/") == true)
        #expect(try concealed.to().tag == "pbx1")
    }

    @Test("A made-up nonce for a known user looks like an unknown user: stale is taken off, the fake nonce's time is now")
    func staleAndTimeConcealed() throws {
        let engine = try F.engine()
        let first = F.request("REGISTER", user: "100")
        let challenge401 = F.response(401, to: first, headers: [(.wwwAuthenticate, F.challenge)])
        _ = engine.observeResponse(challenge401, status: 401, to: first, source: F.attacker, now: 1_732_460_000)
        let known = F.request("REGISTER", user: "100", authorization: F.credentials)
        let stale = F.response(401, to: known, headers: [(.wwwAuthenticate, F.challenge + ", stale=true")])
        let answer = try #require(engine.concealedAnswer(stale, status: 401, to: known, source: F.attacker, now: 1_732_470_000))
        let challenge = try #require(try answer.wwwAuthenticates().first)
        #expect(!challenge.stale)
        #expect(challenge.nonce == "1732460000/8a7f3c2d9e1b", "the PBX's own nonce goes out")
        let unknown = F.request("REGISTER", user: "999", authorization: F.credentials)
        let fake = try #require(engine.concealedAnswer(F.response(404, to: unknown), status: 404, to: unknown, source: F.attacker, now: 1_732_470_000))
        let fakeNonce = try #require(try fake.wwwAuthenticates().first?.nonce)
        #expect(fakeNonce.hasPrefix("1732470000/"))
        #expect(fakeNonce.count == "1732460000/8a7f3c2d9e1b".count)
        #expect(fakeNonce.dropFirst(11).allSatisfy { $0.isHexDigit })
    }

    @Test("Answers to trunks and registered phones, and real challenges without stale, are not touched")
    func concealOnlyWhereItHides() throws {
        let engine = try F.engine()
        let register = F.request("REGISTER", user: "100", authorization: F.credentials)
        _ = engine.observeResponse(F.response(200, to: register), status: 200, to: register, source: F.phone, now: 1000)
        let invite = F.request("INVITE", user: "100", target: "555", authorization: F.credentials)
        #expect(engine.concealedAnswer(F.response(404, to: invite), status: 404, to: invite, source: F.phone, now: 1000) == nil)
        let plain = F.response(401, to: register, headers: [(.wwwAuthenticate, F.challenge)])
        #expect(engine.concealedAnswer(plain, status: 401, to: register, source: F.attacker, now: 1000) == nil)
        let fromTrunk = F.request("INVITE", user: "100", target: "555")
        #expect(engine.concealedAnswer(F.response(404, to: fromTrunk), status: 404, to: fromTrunk, source: F.trunk, now: 1000) == nil)
        let off = try F.engine { $0.concealUsers = false }
        let unknownRegister = F.request("REGISTER", user: "999")
        #expect(off.concealedAnswer(F.response(404, to: unknownRegister), status: 404, to: unknownRegister, source: F.attacker, now: 1000) == nil)
    }

    @Test("Before any challenge was seen, the made-up one uses the configured realm")
    func defaultChallenge() throws {
        let engine = try F.engine { $0.authRealm = "pbx.example.com" }
        let register = F.request("REGISTER", user: "999")
        let answer = try #require(engine.concealedAnswer(F.response(403, to: register), status: 403, to: register, source: F.attacker, now: 1000))
        #expect(try answer.wwwAuthenticates().first?.realm == "pbx.example.com")
    }
}
