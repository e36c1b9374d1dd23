import Foundation
import Testing
import TollgateModel
import TollgateStore

@Suite("Store conformance: inventory")
struct StoreInventoryConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func sighting(_ address: String = "127.0.0.30", ext: String = "201", firmware: String? = "66.86.0.15", at offset: TimeInterval = 0,
                         role: InventoryDevice.Role = .phone) -> DeviceSighting {
        DeviceSighting(address: address, ext: ext, role: role, userAgent: firmware.map { "Yealink SIP-T46S \($0)" } ?? "Yealink",
                       vendor: "Yealink", model: "SIP-T46S", firmware: firmware, time: now.addingTimeInterval(offset))
    }

    @Test("a first sighting adds the device; later ones move last seen and keep first seen", arguments: StoreBackend.all)
    func sightings(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.inventory().isEmpty)
        try await store.recordSightings([Self.sighting(), Self.sighting("127.0.0.20", ext: "", role: .pbx)])
        try await store.recordSightings([Self.sighting(at: 600)])
        let devices = try await store.inventory()
        #expect(devices.map(\.key) == ["127.0.0.20", "127.0.0.30/201"])
        let phone = try #require(try await store.inventoryDevice(address: "127.0.0.30", ext: "201"))
        #expect(phone.firstSeen == Self.now && phone.lastSeen == Self.now.addingTimeInterval(600))
        #expect(phone.vendor == "Yealink" && phone.model == "SIP-T46S" && phone.firmware == "66.86.0.15" && phone.firmwareChanged == nil)
        #expect(phone.role == .phone && devices[0].role == .pbx)
    }

    @Test("another firmware is dated as a change; an older sighting arriving late changes nothing", arguments: StoreBackend.all)
    func firmwareChange(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.recordSightings([Self.sighting()])
        try await store.recordSightings([Self.sighting(firmware: "66.86.0.20", at: 3_600)])
        try await store.recordSightings([Self.sighting(firmware: "66.86.0.15", at: 60)])
        let phone = try #require(try await store.inventoryDevice(address: "127.0.0.30", ext: "201"))
        #expect(phone.firmware == "66.86.0.20")
        #expect(phone.firmwareChanged == Self.now.addingTimeInterval(3_600))
        #expect(phone.lastSeen == Self.now.addingTimeInterval(3_600))
        // A sighting without a version keeps the one known.
        try await store.recordSightings([Self.sighting(firmware: nil, at: 7_200)])
        #expect(try await store.inventoryDevice(address: "127.0.0.30", ext: "201")?.firmware == "66.86.0.20")
    }

    @Test("the operator's fields are written, merged by address and extension, and never touched by sightings", arguments: StoreBackend.all)
    func details(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.recordSightings([Self.sighting()])
        var entry = InventoryDevice(address: "127.0.0.30", ext: "201", role: .phone, firstSeen: Self.now, lastSeen: Self.now,
                                    owner: "Ana Ruiz", department: "Sales", location: "2nd floor, desk 14")
        #expect(try await store.saveInventoryDetails(entry) == false)
        entry.owner = nil
        entry.notes = "replace the handset cord"
        try await store.saveInventoryDetails(entry)
        try await store.recordSightings([Self.sighting(at: 60)])
        let phone = try #require(try await store.inventoryDevice(address: "127.0.0.30", ext: "201"))
        #expect(phone.owner == "Ana Ruiz" && phone.department == "Sales" && phone.location == "2nd floor, desk 14")
        #expect(phone.notes == "replace the handset cord" && phone.firmware == "66.86.0.15")

        // A desk phone the gateway never sees, entered by hand.
        let desk = InventoryDevice(address: "10.0.5.21", ext: "305", role: .phone, vendor: "Poly", model: "VVX 411", firmware: "6.4.3.5156",
                                   firstSeen: Self.now, lastSeen: Self.now, owner: "Reception")
        #expect(try await store.saveInventoryDetails(desk) == true)
        #expect(try await store.inventoryDevice(address: "10.0.5.21", ext: "305") == desk)
        #expect(try await store.removeInventoryDevice(address: "10.0.5.21", ext: "305"))
        #expect(try await store.removeInventoryDevice(address: "10.0.5.21", ext: "305") == false)
        #expect(try await store.inventory().count == 1)
    }
}

@Suite("Store conformance: failover drills")
struct StoreDrillConformanceTests {
    @Test("the last drill result is the newest saved, whole", arguments: StoreBackend.all)
    func lastResult(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.lastDrillResult() == nil)
        let older = FailoverDrillResult(time: Date(timeIntervalSince1970: 1_790_000_000), testNumber: "0",
                                        steps: [.init(trunkOut: "carrier", through: nil, detail: "backup did not answer", passed: false)])
        let newer = FailoverDrillResult(time: Date(timeIntervalSince1970: 1_790_086_400), testNumber: "0",
                                        steps: [.init(trunkOut: "carrier", through: "backup", detail: "backup answered 200", passed: true)])
        try await store.saveDrillResult(newer)
        try await store.saveDrillResult(older)
        #expect(try await store.lastDrillResult() == newer)
        #expect(newer.passed && !older.passed)
    }
}

@Suite("Store conformance: console users")
struct StoreUserConformanceTests {
    @Test("users are saved whole, replaced by name, listed by name and removed", arguments: StoreBackend.all)
    func users(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.users().isEmpty, "there is no default user")
        let created = Date(timeIntervalSince1970: 1_790_000_000)
        var ana = ConsoleUser(name: "ana", role: .admin, enrolmentTokenHash: String(repeating: "a", count: 64),
                              enrolmentExpires: created.addingTimeInterval(86_400), created: created)
        try await store.saveUser(ana)
        try await store.saveUser(ConsoleUser(name: "bob", role: .viewer, created: created))
        #expect(try await store.user(named: "ana") == ana)
        ana.passwordHash = "$2b$12$abcdefghijklmnopqrstuu"
        ana.totpSecret = "JBSWY3DPEHPK3PXP"
        ana.totpLastStep = 59_666_666
        ana.enrolmentTokenHash = nil
        ana.enrolmentExpires = nil
        try await store.saveUser(ana)
        #expect(try await store.user(named: "ana") == ana)
        #expect(try await store.users().map(\.name) == ["ana", "bob"])
        #expect(try await store.removeUser(named: "bob"))
        #expect(try await store.removeUser(named: "bob") == false)
        #expect(try await store.user(named: "bob") == nil)
    }
}

@Suite("Store conformance: the audit log")
struct StoreAuditLogConformanceTests {
    @Test("entries are appended in order, each chained to the one before; the chain verifies", arguments: StoreBackend.all)
    func chain(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try await store.appendAuditEntry(actor: "cli:root", source: "local", action: "user.add", target: "ana", before: nil,
                                                     after: "role admin", at: start)
        let second = try await store.appendAuditEntry(actor: "ana", source: "192.0.2.7", action: "ban.add", target: "198.51.100.66",
                                                      before: nil, after: "7d", at: start.addingTimeInterval(60))
        #expect(first.previousHash == AuditLogEntry.genesis && second.previousHash == first.hash && first.id < second.id)
        #expect(try await store.auditEntries(since: start.addingTimeInterval(30), limit: 10).map(\.action) == ["ban.add"])
        let chain = try await store.auditChain()
        #expect(chain.entries == [first, second] && chain.headCount == 2 && chain.headHash == second.hash)
        #expect(AuditChain.firstProblem(entries: chain.entries, headHash: chain.headHash, headCount: chain.headCount) == nil)
    }

    @Test("an edited entry, a deleted one, and the newest deleted are each found")
    func tampering() {
        var entries: [AuditLogEntry] = []
        var previous = AuditLogEntry.genesis
        for index in 0..<4 {
            let time = Date(timeIntervalSince1970: 1_790_000_000 + Double(index))
            let hash = AuditChain.hash(previous: previous, time: time, actor: "ana", source: "local", action: "user.add", target: "u\(index)",
                                       before: nil, after: nil)
            entries.append(AuditLogEntry(id: Int64(index + 1), time: time, actor: "ana", source: "local", action: "user.add", target: "u\(index)",
                                         before: nil, after: nil, previousHash: previous, hash: hash))
            previous = hash
        }
        let head = previous
        #expect(AuditChain.firstProblem(entries: entries, headHash: head, headCount: 4) == nil)
        var edited = entries
        edited[1].target = "someone-else"
        #expect(AuditChain.firstProblem(entries: edited, headHash: head, headCount: 4)?.contains("entry 2: its content was changed") == true)
        var deleted = entries
        deleted.remove(at: 1)
        #expect(AuditChain.firstProblem(entries: deleted, headHash: head, headCount: 4)?.contains("entry 3: the entry before it") == true)
        #expect(AuditChain.firstProblem(entries: Array(entries.dropLast()), headHash: head, headCount: 4)?.contains("newest were deleted") == true)
    }
}

@Suite("Store conformance: console sessions and API tokens")
struct StoreSessionConformanceTests {
    @Test("a session is found by its ID hash, touched, listed per user and ended alone or with the user's others", arguments: StoreBackend.all)
    func sessions(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let first = ConsoleSession(idHash: String(repeating: "1", count: 64), user: "ana", stage: .secondFactor, csrfToken: "c1", created: start,
                                   lastSeen: start, source: "127.0.0.10", userAgent: "Firefox")
        var second = first
        second.idHash = String(repeating: "2", count: 64)
        second.stage = .signedIn
        second.created = start.addingTimeInterval(60)
        second.lastSeen = second.created
        try await store.saveSession(first)
        try await store.saveSession(second)
        try await store.saveSession(ConsoleSession(idHash: String(repeating: "3", count: 64), user: "bob", stage: .signedIn, csrfToken: "c3",
                                                   created: start, lastSeen: start, source: "::1", userAgent: "curl"))
        #expect(try await store.session(idHash: first.idHash) == first)
        #expect(try await store.sessions(user: "ana").map(\.idHash) == [second.idHash, first.idHash])
        try await store.touchSession(idHash: second.idHash, at: start.addingTimeInterval(600))
        try await store.touchSession(idHash: second.idHash, at: start.addingTimeInterval(300))
        #expect(try await store.session(idHash: second.idHash)?.lastSeen == start.addingTimeInterval(600))
        #expect(try await store.removeSession(idHash: first.idHash))
        #expect(try await store.removeSession(idHash: first.idHash) == false)
        #expect(try await store.session(idHash: first.idHash) == nil)
        // Idle before start+300 (bob's) goes; ana's, used at +600, stays.
        #expect(try await store.removeSessions(idleBefore: start.addingTimeInterval(300), createdBefore: start.addingTimeInterval(-1)) == 1)
        #expect(try await store.sessions(user: "bob").isEmpty)
        #expect(try await store.removeSessions(user: "ana") == 1)
        #expect(try await store.session(idHash: second.idHash) == nil)
    }

    @Test("a TOTP time step is claimed once: the same or an earlier step is refused", arguments: StoreBackend.all)
    func totpClaim(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.saveUser(ConsoleUser(name: "ana", role: .admin, totpSecret: "JBSWY3DPEHPK3PXP", created: Date(timeIntervalSince1970: 0)))
        #expect(try await store.claimTOTPStep(user: "ana", step: 100))
        #expect(try await store.claimTOTPStep(user: "ana", step: 100) == false)
        #expect(try await store.claimTOTPStep(user: "ana", step: 99) == false)
        #expect(try await store.claimTOTPStep(user: "ana", step: 101))
        #expect(try await store.claimTOTPStep(user: "nobody", step: 1) == false)
        #expect(try await store.user(named: "ana")?.totpLastStep == 101)
    }

    @Test("a TOTP step claimed by two connections at once is won by exactly one", arguments: StoreBackend.shared)
    func totpRace(backend: StoreBackend) async throws {
        let (one, two) = try await backend.makePair()
        try await one.saveUser(ConsoleUser(name: "ana", role: .admin, totpSecret: "JBSWY3DPEHPK3PXP", created: Date(timeIntervalSince1970: 0)))
        for step in Int64(1)...20 {
            async let a = one.claimTOTPStep(user: "ana", step: step)
            async let b = two.claimTOTPStep(user: "ana", step: step)
            let wins = [try await a, try await b].filter { $0 }.count
            #expect(wins == 1)
        }
    }

    @Test("a token is found by its hash, listed, touched and revoked by its ID", arguments: StoreBackend.all)
    func tokens(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let token = APIToken(id: "tk_a1", user: "ana", role: .viewer, tokenHash: String(repeating: "a", count: 64), created: start,
                             expires: start.addingTimeInterval(30 * 86_400))
        try await store.saveToken(token)
        try await store.saveToken(APIToken(id: "tk_b1", user: "bob", role: .operator, tokenHash: String(repeating: "b", count: 64),
                                           created: start.addingTimeInterval(1), expires: start.addingTimeInterval(86_400)))
        #expect(try await store.token(hash: token.tokenHash) == token)
        #expect(try await store.token(hash: String(repeating: "c", count: 64)) == nil)
        #expect(try await store.tokens(user: nil).map(\.id) == ["tk_a1", "tk_b1"])
        #expect(try await store.tokens(user: "bob").map(\.id) == ["tk_b1"])
        try await store.touchToken(id: "tk_a1", at: start.addingTimeInterval(5))
        #expect(try await store.token(hash: token.tokenHash)?.lastUsed == start.addingTimeInterval(5))
        #expect(try await store.removeToken(id: "tk_a1"))
        #expect(try await store.removeToken(id: "tk_a1") == false)
        #expect(try await store.token(hash: token.tokenHash) == nil)
    }
}

@Suite("Store conformance: divert now")
struct StoreDivertConformanceTests {
    @Test("divert is off until switched on, seen by another connection, and off again", arguments: StoreBackend.shared)
    func divert(backend: StoreBackend) async throws {
        let (console, gateway) = try await backend.makePair()
        #expect(try await gateway.divert() == nil)
        let state = DivertState(since: Date(timeIntervalSince1970: 1_790_000_000), actor: "otto", reason: "evacuation")
        try await console.setDivert(state)
        #expect(try await gateway.divert() == state)
        try await console.setDivert(nil)
        #expect(try await gateway.divert() == nil)
    }
}

@Suite("Store conformance: alarm acknowledgements")
struct StoreAlarmConformanceTests {
    @Test("an alarm is acknowledged once (the first stands), and read back by event id; events filter by several kinds", arguments: StoreBackend.all)
    func acknowledge(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        try await store.append([
            SecurityEvent(time: time, kind: "fraud", source: "", rule: "calls-per-minute", detail: "2001 made 30 calls", severity: .critical),
            SecurityEvent(time: time.addingTimeInterval(1), kind: "scanner", source: "192.0.2.1", rule: "r", detail: "d", severity: .warning),
            SecurityEvent(time: time.addingTimeInterval(2), kind: "account-suspended", source: "", rule: "r", detail: "d", severity: .critical),
        ])
        let alarms = try await store.events(EventQuery(kinds: ["fraud", "account-suspended"]))
        #expect(alarms.map(\.kind) == ["account-suspended", "fraud"])
        #expect(try await store.events(EventQuery(kinds: [])).isEmpty)
        let id = try #require(alarms.last?.id)
        var byID = EventQuery(kinds: ["fraud"])
        byID.id = id
        #expect(try await store.events(byID).map(\.rule) == ["calls-per-minute"])
        byID.kinds = ["scanner"]
        #expect(try await store.events(byID).isEmpty)
        #expect(try await store.acknowledge(AlarmAcknowledgement(eventID: id, time: time, actor: "otto", note: "called the user")))
        #expect(try await store.acknowledge(AlarmAcknowledgement(eventID: id, time: time, actor: "ana", note: "again")) == false)
        let read = try await store.acknowledgements(eventIDs: alarms.compactMap(\.id))
        #expect(read.count == 1 && read[id]?.actor == "otto" && read[id]?.note == "called the user")
    }
}
