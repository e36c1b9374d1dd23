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
        var committed: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            committed = try lab.json(["events", "--kind", "ban", "--limit", "1000"])
            if committed.count >= 20 { break }
            usleep(100_000)
        }
        #expect(committed.count == 20)
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
