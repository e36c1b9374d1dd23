import Foundation
import Testing

/// Real attack tools (SIPVicious) and real clients (sipp) against `tollgate serve` with Shield, in
/// front of the test PBX; everything on 127.0.0.x. Attackers use 127.0.0.66–.69, phones .30–.32.
@Suite("Shield against real attack tools", .serialized)
struct ShieldAttackTests {
    @Test("svmap is recognised and banned at its first OPTIONS; nothing from it reaches the PBX")
    func svmapBanned() throws {
        let lab = try ShieldLab(port: 5200, pbxPort: 5201)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        let scan = try lab.attack("svmap", from: "127.0.0.66", arguments: ["-p", "5200", "127.0.0.1"])
        #expect(scan.log.contains("found nothing") || !scan.log.contains("5200"), "svmap must not see the gateway: \(scan.log)")
        let ban = try #require(try lab.waitForBan("127.0.0.66"), "no ban; gateway log: \(lab.gateway?.log.suffix(2000) ?? "")")
        #expect(ban["rule"] as? String == "scanner-fingerprint")
        let events = try lab.events(source: "127.0.0.66")
        #expect(events.contains { ($0["kind"] as? String) == "scanner" && (($0["detail"] as? String) ?? "").contains("sipvicious") })
        #expect(lab.requestsAtPBX(from: "127.0.0.66") == 0)
    }

    @Test("svwar is banned at its first REGISTER and learns no extension")
    func svwarBanned() throws {
        let lab = try ShieldLab(port: 5202, pbxPort: 5203)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        let scan = try lab.attack("svwar", from: "127.0.0.66", arguments: ["-e200-260", "-p", "5202", "127.0.0.1"])
        #expect(!scan.log.contains("reqauth"), "svwar found extensions: \(scan.log.suffix(1500))")
        let ban = try #require(try lab.waitForBan("127.0.0.66"))
        #expect(ban["reason"] as? String == "sipvicious (User-Agent: friendly-scanner)")
        #expect(lab.requestsAtPBX(from: "127.0.0.66") == 0)
    }

    @Test("svcrack is banned at its first attempt; no password guess reaches the PBX")
    func svcrackBanned() throws {
        let lab = try ShieldLab(port: 5204, pbxPort: 5205)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        let scan = try lab.attack("svcrack", from: "127.0.0.66", arguments: ["-u", "204", "-d", try lab.passwordList(), "-p", "5204", "127.0.0.1"])
        #expect(!scan.log.contains("correct-horse"))
        #expect(try lab.waitForBan("127.0.0.66") != nil, "\(scan.log.suffix(1000))")
        #expect(lab.requestsAtPBX(from: "127.0.0.66") == 0)
    }

    @Test("With their User-Agent disguised, svwar and svcrack are caught by behaviour within 20 messages while real phones register and call unharmed")
    func disguisedToolsAmongPhones() throws {
        // With answers not concealed, svwar can tell extensions apart: behaviour alone must stop it.
        let lab = try ShieldLab(port: 5206, pbxPort: 5207, shield: "  conceal_users: false")
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        let users = try lab.usersFile()
        let target = "127.0.0.1:5206"

        // Phones: registrations, authenticated calls, and a person mistyping a password now and then.
        let registrations = try PeerProcess.sipp("uac-register.xml", local: "127.0.0.30", port: 5208, remote: target, calls: 10, rate: 2)
        let calls = try PeerProcess.sipp("uac-auth-call.xml", local: "127.0.0.31", port: 5209, remote: target, calls: 10, rate: 1,
                                         extra: ["-inf", users, "-s", "300"])
        let typos = try PeerProcess.sipp("uac-register-wrong.xml", local: "127.0.0.32", port: 5210, remote: target, calls: 5, rate: 1,
                                         extra: ["-inf", users])
        // Attackers at the same time.
        let enumeration = try lab.attack("svwar", from: "127.0.0.66", arguments: ["-e200-299", "-p", "5206", "127.0.0.1"], disguised: true)
        let cracking = try lab.attack("svcrack", from: "127.0.0.67", arguments: ["-u", "204", "-d", try lab.passwordList(), "-p", "5206", "127.0.0.1"],
                                      disguised: true)

        #expect(registrations.wait(timeout: 60) == 0, "registrations: \(registrations.log.suffix(1500))")
        #expect(calls.wait(timeout: 90) == 0, "calls: \(calls.log.suffix(1500))")
        #expect(typos.wait(timeout: 60) == 0, "typos: \(typos.log.suffix(1500))")

        let enumerator = try #require(try lab.waitForBan("127.0.0.66"), "svwar: \(enumeration.log.suffix(1500))")
        let cracker = try #require(try lab.waitForBan("127.0.0.67"), "svcrack: \(cracking.log.suffix(1500))")
        #expect(["extension-enumeration", "auth-failures", "flood"].contains(enumerator["rule"] as? String ?? ""))
        #expect(["auth-failures", "flood"].contains(cracker["rule"] as? String ?? ""))
        #expect(lab.requestsAtPBX(from: "127.0.0.66") <= 20, "svwar reached the PBX \(lab.requestsAtPBX(from: "127.0.0.66")) times")
        #expect(lab.requestsAtPBX(from: "127.0.0.67") <= 20, "svcrack reached the PBX \(lab.requestsAtPBX(from: "127.0.0.67")) times")
        #expect(!cracking.log.contains("correct-horse"))

        let bans = try lab.bans()
        for phone in ["127.0.0.30", "127.0.0.31", "127.0.0.32"] {
            #expect(bans[phone] == nil, "legitimate \(phone) was banned: \(bans[phone] ?? [:])")
        }
    }

    @Test("Through Tollgate, unknown extensions answer exactly like real ones, so svwar cannot enumerate them")
    func enumerationOracleClosed() throws {
        // The scanner's address is never banned and nothing is limited here, so it can ask for every extension.
        let lab = try ShieldLab(port: 5212, pbxPort: 5213, shield: """
              never_ban: [127.0.0.69]
              global_requests_per_second: 0
              profiles:
                lab: { requests_per_second: 0, burst: 0, registers_per_minute: 0, options_per_minute: 0, ban_after_drops: 0 }
              peers:
                - { sources: [127.0.0.69], profile: lab, trusted: false }
              detection:
                enumeration: { count: 100000, window: 60 }
                auth_failures: { count: 100000, window: 60 }
            """)
        defer { lab.stop() }
        try lab.startPBX()
        try lab.startGateway()
        // svwar first asks for a random extension: the PBX says 404, the scanner sees a challenge and gives up.
        let probe = try lab.attack("svwar", from: "127.0.0.69", arguments: ["-e195-254", "-p", "5212", "127.0.0.1"], disguised: true)
        #expect(probe.log.contains("authentication request for an unknown extension"), "\(probe.log.suffix(800))")
        // Forced on, it takes the challenge as its "no such user" answer, and so finds none of the 50 real ones.
        let scan = try lab.attack("svwar", from: "127.0.0.69", arguments: ["--force", "-e195-254", "-p", "5212", "127.0.0.1"], disguised: true)
        let found = scan.log.split(separator: "\n").filter { line in
            let fields = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return fields.count >= 2 && Int(fields[0]) != nil
        }
        #expect(found.isEmpty, "svwar listed extensions: \(found)")
        #expect(scan.log.contains("found nothing"), "\(scan.log.suffix(800))")
        #expect(lab.requestsAtPBX(from: "127.0.0.69") >= 2, "the scan did reach the PBX")
    }
}
