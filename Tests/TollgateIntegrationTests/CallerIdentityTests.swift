import Crypto
import Foundation
import Testing
import TollgateTestSupport

/// Caller identity through a running `tollgate serve`: sipp carriers send signed, stale, forged and
/// unsigned calls; the PBX (sipp) shows what `verstat` and display name each got, the carrier what
/// status the `reject` policy answered, and the CDRs and events the verdicts.
@Suite("Caller identity (STIR/SHAKEN) with sipp through the gateway", .serialized)
struct CallerIdentityTests {
    static let x5u = "https://sti.example.net/certs/707H.pem"

    struct Case {
        var name: String
        var dialled: String
        var caller: String = "441632960001"
        var token: String
    }

    @Test("each PASSporT case gets its verdict: verstat to the PBX, the status under reject, the CDR and the event")
    func passportCases() throws {
        let port = 5470
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-identity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let authority = try ShakenTestAuthority()
        let caFile = directory.appendingPathComponent("sti-ca.pem")
        let chainFile = directory.appendingPathComponent("707H.pem")
        try authority.rootPEM.write(to: caFile, atomically: true, encoding: .utf8)
        try authority.chainPEM.write(to: chainFile, atomically: true, encoding: .utf8)
        let configFile = directory.appendingPathComponent("tollgate.yaml")
        try """
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - { name: signed, endpoint: "udp:127.0.0.10:\(port + 2)", probe: { enabled: false }, identity: reject }
              - { name: open, endpoint: "udp:127.0.0.11:\(port + 3)", probe: { enabled: false } }
            store: { path: "\(directory.appendingPathComponent("tollgate.db").path)" }
            identity:
              trust_anchors: ["\(caFile.path)"]
              certificates:
                - { x5u: "\(Self.x5u)", file: "\(chainFile.path)" }
              country_code: "44"
              own_numbers: ["+442079460*"]
            """.write(to: configFile, atomically: true, encoding: .utf8)

        func token(orig: String = "441632960001", dest: String, iat: Date = Date(), attest: String = "A", alg: String = "ES256",
                   key: P256.Signing.PrivateKey? = nil) -> String {
            authority.passport(orig: orig, dest: [dest], iat: iat, attest: attest, x5u: Self.x5u, alg: alg, signingKey: key)
        }
        let signedCases = [
            Case(name: "A", dialled: "441632960901", token: token(dest: "441632960901")),
            Case(name: "C", dialled: "441632960902", token: token(dest: "441632960902", attest: "C")),
            Case(name: "stale", dialled: "441632960903", token: token(dest: "441632960903", iat: Date().addingTimeInterval(-300))),
            Case(name: "wrong key", dialled: "441632960904", token: token(dest: "441632960904", key: P256.Signing.PrivateKey())),
            Case(name: "orig", dialled: "441632960905", token: token(orig: "441632960777", dest: "441632960905")),
            Case(name: "RS256", dialled: "441632960906", token: token(dest: "441632960906", alg: "RS256")),
        ]
        let spoofCase = Case(name: "own number, B", dialled: "441632960907", caller: "442079460100",
                             token: token(orig: "442079460100", dest: "441632960907", attest: "B"))

        let gateway = try PeerProcess.tollgate(config: configFile, directory: directory, name: "tollgate-identity")
        defer { gateway.stop() }
        let pbxTrace = directory.appendingPathComponent("pbx.log")
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: port + 1, calls: 4,
                                       extra: ["-trace_msg", "-message_file", pbxTrace.path])
        usleep(300_000)

        func carrier(_ cases: [Case], from address: String, port trunkPort: Int) throws -> String {
            let injection = directory.appendingPathComponent("cases-\(address).csv")
            try (["SEQUENTIAL"] + cases.map { "\($0.token);\(Self.x5u);\($0.dialled);\($0.caller);" }).joined(separator: "\n")
                .appending("\n").write(to: injection, atomically: true, encoding: .utf8)
            let trace = directory.appendingPathComponent("carrier-\(address).log")
            let sipp = try PeerProcess.sipp("uac-identity.xml", local: address, port: trunkPort, remote: "127.0.0.1:\(port)", calls: cases.count,
                                            rate: 5, extra: ["-inf", injection.path, "-trace_msg", "-message_file", trace.path])
            #expect(sipp.wait(timeout: 60) == 0, "carrier \(address): \(sipp.log.suffix(2000))\ngateway: \(gateway.log.suffix(3000))")
            return (try? String(contentsOf: trace, encoding: .utf8)) ?? ""
        }
        let signedTrace = try carrier(signedCases, from: "127.0.0.10", port: port + 2)
        _ = try carrier([spoofCase], from: "127.0.0.11", port: port + 3)
        let unsigned = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.11", port: port + 3, remote: "127.0.0.1:\(port)", calls: 1,
                                            extra: ["-s", "441632960908"])
        #expect(unsigned.wait(timeout: 30) == 0, "unsigned carrier: \(unsigned.log.suffix(1500))")
        #expect(pbx.wait(timeout: 20) == 0, "pbx: \(pbx.log.suffix(2000))")

        // The carrier under `reject` got RFC 8224's statuses.
        for (status, phrase) in [(403, "Stale Date"), (438, "Invalid Identity Header"), (437, "Unsupported Credential")] {
            #expect(signedTrace.contains("SIP/2.0 \(status) \(phrase)"), "carrier did not get \(status) \(phrase)")
        }
        #expect(signedTrace.components(separatedBy: "SIP/2.0 438 Invalid Identity Header").count - 1 >= 2, "wrong key and orig")

        // What the PBX saw, INVITE by INVITE (by the number called).
        let pbxText = (try? String(contentsOf: pbxTrace, encoding: .utf8)) ?? ""
        let invites = pbxText.components(separatedBy: "-----------------------------------------------")
            .filter { $0.contains("message received") && $0.contains("INVITE sip:") }
        func fromHeader(dialled: String) -> String? {
            guard let block = invites.first(where: { $0.contains("INVITE sip:\(dialled)@") }) else { return nil }
            return block.split(whereSeparator: \.isNewline).first { $0.hasPrefix("From:") }.map(String.init)
        }
        #expect(invites.count == 4, "A, C, the spoofed one and the unsigned one reach the PBX: \(invites.count)")
        #expect(fromHeader(dialled: "441632960901")?.contains("verstat=TN-Validation-Passed") == true)
        #expect(fromHeader(dialled: "441632960902")?.contains("verstat=TN-Validation-Passed") == true)
        #expect(fromHeader(dialled: "441632960908")?.contains("verstat=No-TN-Validation") == true)
        let spoofed = try #require(fromHeader(dialled: "441632960907"))
        #expect(spoofed.contains("[spoofed?] Caller") && spoofed.contains("verstat=TN-Validation-Passed"), "\(spoofed)")
        for refused in ["441632960903", "441632960904", "441632960905", "441632960906"] {
            #expect(fromHeader(dialled: refused) == nil, "\(refused) must not reach the PBX")
        }

        // The CDRs and the events say the same.
        func tollgate(_ arguments: [String]) throws -> String {
            let command = try PeerProcess(name: "tollgate-cli", executable: Peers.tollgate, arguments: arguments + ["--config", configFile.path],
                                          directory: directory)
            #expect(command.wait(timeout: 30) == 0, "tollgate \(arguments.joined(separator: " ")): \(command.log)")
            return command.log
        }
        var identities: [String: String] = [:]
        let deadline = Date().addingTimeInterval(5)
        repeat {
            let text = try tollgate(["cdr", "export", "--format", "json"])
            let rows = (text.firstIndex(of: "[").flatMap { try? JSONSerialization.jsonObject(with: Data(text[$0...].utf8)) as? [[String: Any]] }) ?? []
            identities = Dictionary(rows.compactMap { row in (row["to"] as? String).map { ($0, row["identity"] as? String ?? "") } },
                                    uniquingKeysWith: { first, _ in first })
            if identities.count >= 8 { break }
            usleep(200_000)
        } while Date() < deadline
        #expect(identities["441632960901"] == "verified-A")
        #expect(identities["441632960902"] == "verified-C")
        #expect(identities["441632960903"] == "failed:iat-stale")
        #expect(identities["441632960904"] == "failed:bad-signature")
        #expect(identities["441632960905"] == "failed:orig-mismatch")
        #expect(identities["441632960906"] == "failed:unsupported-algorithm")
        #expect(identities["441632960907"] == "verified-B;spoofed=own-number")
        #expect(identities["441632960908"] == "absent")
        let events = try tollgate(["events", "--kind", "identity", "--limit", "50"])
        #expect(events.contains("identity-iat-stale") && events.contains("identity-verified") && events.contains("identity-absent"), "\(events)")
        let spoofEvents = try tollgate(["events", "--kind", "caller-id-spoofed"])
        #expect(spoofEvents.contains("caller-id-own-number") && spoofEvents.contains("127.0.0.11"), "\(spoofEvents)")
    }

    @Test("SIGHUP turns the caller-ID screen on; a bad trust anchor on reload is refused and the old rules stay")
    func reload() throws {
        let port = 5490
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-identity-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configFile = directory.appendingPathComponent("tollgate.yaml")
        let base = """
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:\(port + 2)", probe: { enabled: false } }
            store: { path: "\(directory.appendingPathComponent("tollgate.db").path)" }

            """
        try base.write(to: configFile, atomically: true, encoding: .utf8)
        let gateway = try PeerProcess.tollgate(config: configFile, directory: directory, name: "tollgate-identity-reload")
        defer { gateway.stop() }
        let pbxTrace = directory.appendingPathComponent("pbx.log")
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: port + 1, calls: 3,
                                       extra: ["-trace_msg", "-message_file", pbxTrace.path])
        usleep(300_000)
        func call(_ dialled: String) throws {
            let caller = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.10", port: port + 2, remote: "127.0.0.1:\(port)", calls: 1,
                                              extra: ["-s", dialled])
            #expect(caller.wait(timeout: 30) == 0, "caller: \(caller.log.suffix(1500))\ngateway: \(gateway.log.suffix(2000))")
        }
        func fromAtPBX(_ dialled: String) -> String? {
            let text = (try? String(contentsOf: pbxTrace, encoding: .utf8)) ?? ""
            let block = text.components(separatedBy: "-----------------------------------------------")
                .first { $0.contains("message received") && $0.contains("INVITE sip:\(dialled)@") }
            return block?.split(whereSeparator: \.isNewline).first { $0.hasPrefix("From:") }.map(String.init)
        }

        try call("441632960951")
        let pid = gateway.process.processIdentifier
        try (base + "identity: { country_code: \"44\", own_numbers: [\"+44163296*\"] }\n").write(to: configFile, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        #expect(gateway.waitForLog("caller identity reloaded", timeout: 10), "\(gateway.log.suffix(2000))")
        try call("441632960952")

        try (base + "identity: { trust_anchors: [\"/nonexistent/sti-ca.pem\"], own_numbers: [\"+44163296*\"] }\n")
            .write(to: configFile, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        #expect(gateway.waitForLog("reload refused", timeout: 10), "\(gateway.log.suffix(2000))")
        try call("441632960953")
        #expect(pbx.wait(timeout: 20) == 0, "pbx: \(pbx.log.suffix(2000))")

        #expect(fromAtPBX("441632960951")?.contains("[spoofed?]") == false, "no screen before the reload")
        #expect(fromAtPBX("441632960952")?.contains("[spoofed?] Caller") == true, "\(fromAtPBX("441632960952") ?? "no INVITE")")
        #expect(fromAtPBX("441632960953")?.contains("[spoofed?] Caller") == true, "the old rules stay after a refused reload")
    }

    @Test("a bad trust anchor or provisioned certificate stops the start with a clear error")
    func badConfiguration() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-identity-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ca = directory.appendingPathComponent("ca.pem")
        try "not a certificate\n".write(to: ca, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("tollgate.yaml")
        try """
            listeners: [{ zone: external, listen: "udp:127.0.0.1:5480" }]
            pbx: { endpoint: "udp:127.0.0.20:5481" }
            trunks: [{ name: signed, endpoint: "udp:127.0.0.10:5482", identity: reject }]
            identity: { trust_anchors: ["\(ca.path)"] }
            """.write(to: config, atomically: true, encoding: .utf8)
        let serve = try PeerProcess(name: "tollgate-bad-identity", executable: Peers.tollgate, arguments: ["serve", "--config", config.path],
                                    directory: directory)
        let status = serve.wait(timeout: 20)
        #expect(status != nil && status != 0, "\(serve.log)")
        #expect(serve.log.contains("identity.trust_anchors"), "\(serve.log)")
    }
}
