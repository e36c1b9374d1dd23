import Foundation
import Testing

/// Shield under a flood, and across restarts and kill -9.
@Suite("Shield under floods and restarts", .serialized)
struct ShieldResilienceTests {
    @Test("While one source floods malformed packets and 254 others flood OPTIONS, every trunk call completes and memory stays bounded")
    func floodDoesNotStopCalls() throws {
        let lab = try ShieldLab(port: 5214, pbxPort: 5215)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        let before = try #require(lab.gatewayResidentKB())

        let calls = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.10", port: 5225, remote: "127.0.0.1:5214", calls: 100, rate: 20,
                                         extra: ["-s", "201"])
        let malformed = try lab.flood(kind: "malformed", source: "127.0.0.68", seconds: 3)
        let sweep = try lab.flood(kind: "options", sources: "127.1.0.0/24", seconds: 3)
        #expect(malformed.wait(timeout: 30) == 0, "\(malformed.log)")
        #expect(sweep.wait(timeout: 30) == 0, "\(sweep.log)")
        #expect(calls.wait(timeout: 90) == 0, "trunk calls failed under the flood: \(calls.log.suffix(1500))")
        let after = try #require(lab.gatewayResidentKB())
        #expect(after - before < 100_000, "resident memory grew from \(before) kB to \(after) kB")

        let ban = try #require(try lab.waitForBan("127.0.0.68"), "\(malformed.log)")
        #expect(ban["rule"] as? String == "malformed-flood")
        // The gateway is still healthy: a fresh call goes through.
        let check = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.10", port: 5225, remote: "127.0.0.1:5214", calls: 1, extra: ["-s", "202"])
        #expect(check.wait(timeout: 30) == 0)
    }

    @Test("Bans and events survive a restart, and the banned scanner is refused from the first packet after it")
    func bansSurviveRestart() throws {
        let lab = try ShieldLab(port: 5216, pbxPort: 5217)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        _ = try lab.attack("svmap", from: "127.0.0.66", arguments: ["-p", "5216", "127.0.0.1"])
        let first = try #require(try lab.waitForBan("127.0.0.66"))
        let eventsBefore = try lab.events(source: "127.0.0.66").count
        #expect(eventsBefore >= 2)

        lab.gateway?.stop()
        try lab.startGateway()
        #expect(lab.gateway?.log.contains("bans restored from the store") == true)
        let restored = try #require(try lab.bans()["127.0.0.66"])
        #expect(restored["until"] as? String == first["until"] as? String)
        _ = try lab.attack("svmap", from: "127.0.0.66", arguments: ["-p", "5216", "127.0.0.1"])
        usleep(500_000)
        #expect(try lab.events(source: "127.0.0.66").count == eventsBefore, "a banned source's packets make no new events")
        #expect(lab.requestsAtPBX(from: "127.0.0.66") == 0)
    }

    @Test("kill -9 loses no event or ban that was committed before it")
    func killLosesNothingCommitted() throws {
        let lab = try ShieldLab(port: 5218, pbxPort: 5219)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        // Twenty sources each send a burst of malformed packets: each is banned, with its events.
        for index in 0..<20 {
            let flood = try lab.flood(kind: "malformed", source: "127.0.3.\(index + 1)", seconds: 0.2)
            flood.wait(timeout: 10)
        }
        // Every one of the twenty is banned (two rules may both fire on one burst: count sources, not events).
        let flooders = Set((0..<20).map { "127.0.3.\($0 + 1)" })
        var committed: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            committed = try lab.json(["events", "--kind", "ban", "--limit", "1000"])
            if Set(committed.compactMap { $0["source"] as? String }) == flooders { break }
            usleep(100_000)
        }
        #expect(Set(committed.compactMap { $0["source"] as? String }) == flooders)
        let bansBefore = try lab.bans().count

        lab.killGateway()
        try lab.startGateway()
        let afterwards = try lab.json(["events", "--kind", "ban", "--limit", "1000"])
        #expect(afterwards.count >= committed.count)
        let committedDetails = Set(committed.compactMap { $0["source"] as? String })
        let survivingDetails = Set(afterwards.compactMap { $0["source"] as? String })
        #expect(committedDetails.isSubset(of: survivingDetails))
        #expect(try lab.bans().count == bansBefore)
    }
}

/// Operating a running gateway: operator bans and SIGHUP reloads.
@Suite("Shield operations on a running gateway", .serialized)
struct ShieldOperationTests {
    /// Sends one REGISTER from `address` with an ordinary User-Agent and says whether the PBX saw it.
    static func reachesPBX(_ lab: ShieldLab, from address: String, port: Int, user: String) throws -> Bool {
        let before = lab.requestsAtPBX(from: address)
        let register = try PeerProcess.sipp("uac-register.xml", local: address, port: port, remote: "127.0.0.1:\(lab.port)", calls: 1,
                                            extra: ["-timeout", "3"])
        register.wait(timeout: 10)
        return lab.requestsAtPBX(from: address) > before
    }

    @Test("tollgate ban add and remove reach the running gateway within two seconds")
    func operatorBans() throws {
        let lab = try ShieldLab(port: 5220, pbxPort: 5221)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        #expect(try Self.reachesPBX(lab, from: "127.0.0.40", port: 5230, user: "204"))

        let add = try PeerProcess(name: "ban-add", executable: Peers.tollgate,
                                  arguments: ["ban", "add", "127.0.0.40", "--for", "1h", "--reason", "test", "--config", lab.configFile.path])
        #expect(add.wait(timeout: 20) == 0, "\(add.log)")
        usleep(2_000_000)
        #expect(try !Self.reachesPBX(lab, from: "127.0.0.40", port: 5230, user: "204"), "an operator ban is in force")

        let remove = try PeerProcess(name: "ban-remove", executable: Peers.tollgate,
                                     arguments: ["ban", "remove", "127.0.0.40", "--config", lab.configFile.path])
        #expect(remove.wait(timeout: 20) == 0, "\(remove.log)")
        usleep(2_000_000)
        #expect(try Self.reachesPBX(lab, from: "127.0.0.40", port: 5230, user: "204"), "the lifted ban is gone")
    }

    @Test("SIGHUP applies a new deny-list at once; a broken file is refused and the old rules stay")
    func reloadOnSIGHUP() throws {
        let lab = try ShieldLab(port: 5222, pbxPort: 5223)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        let pid = try #require(lab.gateway?.process.processIdentifier)
        #expect(try Self.reachesPBX(lab, from: "127.0.0.41", port: 5231, user: "204"))

        let original = try String(contentsOf: lab.configFile, encoding: .utf8)
        try original.replacingOccurrences(of: "  enabled: true", with: "  enabled: true\n  deny: [127.0.0.41/32]")
            .write(to: lab.configFile, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        usleep(1_000_000)
        #expect(try !Self.reachesPBX(lab, from: "127.0.0.41", port: 5231, user: "204"), "the reloaded deny-list applies")

        try original.replacingOccurrences(of: "  enabled: true", with: "  enabled: true\n  deny: [not-an-address]")
            .write(to: lab.configFile, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        usleep(1_000_000)
        // The command-line tools refuse a broken file too: put back the deny-list version to read the events.
        try original.replacingOccurrences(of: "  enabled: true", with: "  enabled: true\n  deny: [127.0.0.41/32]")
            .write(to: lab.configFile, atomically: true, encoding: .utf8)
        let reloads = try lab.json(["events", "--kind", "reload"])
        #expect(reloads.contains { ($0["detail"] as? String ?? "").contains("reload refused") })
        #expect(reloads.contains { ($0["detail"] as? String ?? "").contains("reloaded") })
        #expect(try !Self.reachesPBX(lab, from: "127.0.0.41", port: 5231, user: "204"), "the old rules (with the deny-list) stay")
        #expect(lab.gateway?.process.isRunning == true)
    }
}
