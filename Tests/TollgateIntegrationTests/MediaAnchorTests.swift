import Foundation
import Testing

/// Media through a running `tollgate serve`: a phone (Scripts/media_phone.py, libsrtp through
/// pylibsrtp for SRTP) on 127.0.0.10 calls a PBX that echoes its audio (sipp's built-in `uas`
/// with `-rtp_echo`) on 127.0.0.20, through Tollgate on 127.0.0.1.
@Suite("Media anchoring with real peers", .serialized)
struct MediaAnchorTests {
    static let phone = Peers.packageRoot.appendingPathComponent("Tests/TollgateIntegrationTests/Scripts/media_phone.py")

    struct Call: Decodable {
        var completed: Bool
        var sent: Int
        var echoed: Int
        var matched: Int
        var clear_on_srtp: Int
        var srtp_errors: Int
        var answer: String
        var error: String?
    }

    /// Starts the echoing PBX; its messages are traced to a file the test reads.
    static func echoingPBX(port: Int, mediaPort: Int, calls: Int, trace: URL) throws -> PeerProcess {
        try PeerProcess(name: "sipp-echo", executable: Peers.executable("sipp"), arguments: [
            "-sn", "uas", "-rtp_echo", "-i", "127.0.0.20", "-p", String(port), "-mi", "127.0.0.20", "-mp", String(mediaPort),
            "-m", String(calls), "-nostdin", "-timeout", "60", "-trace_msg", "-message_file", trace.path,
        ])
    }

    static func call(port: Int, sipPort: Int, rtpPort: Int, srtp: Bool) throws -> (call: Call?, log: String) {
        let phone = try PeerProcess(name: "media-phone", executable: Peers.executable("python3"), arguments: [
            Self.phone.path, "127.0.0.1", String(port), "127.0.0.10", String(sipPort), String(rtpPort), "--packets", "40",
        ] + (srtp ? ["--srtp"] : []))
        phone.wait(timeout: 30)
        let line = phone.log.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        return (try? JSONDecoder().decode(Call.self, from: Data(line.utf8)), phone.log)
    }

    @Test("the quick start anchors media: each side sees only Tollgate's address, and the audio goes both ways",
          arguments: [false, true])
    func anchorsQuickStart(srtp: Bool) throws {
        let port = srtp ? 5470 : 5460
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("pbx-\(UUID().uuidString).log")
        let gateway = try PeerProcess.tollgate(["--pbx", "udp:127.0.0.20:\(port + 1)", "--listen", "udp:127.0.0.1:\(port)",
                                                "--trunk", "udp:127.0.0.10:\(port + 2)"])
        defer { gateway.stop() }
        let pbx = try Self.echoingPBX(port: port + 1, mediaPort: 16_000 + port, calls: 1, trace: trace)
        defer { pbx.stop() }
        usleep(300_000)
        let (call, log) = try Self.call(port: port, sipPort: port + 2, rtpPort: 17_000 + port, srtp: srtp)
        let result = try #require(call, "phone: \(log)\ngateway: \(gateway.log.suffix(2000))")
        #expect(result.completed, "\(result.error ?? "") phone: \(log.suffix(500)) gateway: \(gateway.log.suffix(3000))")
        #expect(result.sent == 40)
        #expect(result.matched == 40, "every packet came back with its payload: \(result)")
        #expect(!result.answer.contains("127.0.0.20"), "the phone never sees the PBX's address")
        #expect(result.answer.contains("c=IN IP4 127.0.0.1"))
        if srtp {
            #expect(result.answer.contains("RTP/SAVP") && result.answer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"))
            #expect(result.clear_on_srtp == 0, "nothing from the PBX's side reaches the phone in clear")
            #expect(result.srtp_errors == 0)
        }
        pbx.wait(timeout: 10)
        let seenByPBX = (try? String(contentsOf: trace, encoding: .utf8)) ?? ""
        #expect(seenByPBX.contains("c=IN IP4 127.0.0.1"), "the PBX is sent Tollgate's address: \(seenByPBX.prefix(1500))")
        #expect(!seenByPBX.contains("127.0.0.10\r\nt=") && !seenByPBX.contains("IN IP4 127.0.0.10"), "the PBX never sees the phone's address")
        #expect(!seenByPBX.contains("a=crypto"), "plain RTP towards the PBX")

        // The call's CDR carries its media: the codec, 40 packets each way, SRTP or not.
        gateway.stop()
        let export = try PeerProcess(name: "cdr-export", executable: Peers.tollgate, arguments: ["cdr", "export", "--format", "csv"],
                                     directory: gateway.process.currentDirectoryURL)
        export.wait(timeout: 20)
        let row = export.log.split(separator: "\n").first { $0.contains("inbound") }.map(String.init) ?? ""
        #expect(row.hasSuffix(",PCMU/8000;40:6880:0;40:6880:0;\(srtp ? "srtp" : "rtp");0,"), "cdr export (media, then an empty identity): \(export.log)")
    }

    /// Starts `tollgate serve` in a folder of its own with `yaml` as its configuration; returns it and the folder.
    static func gateway(_ yaml: String) throws -> (PeerProcess, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("tollgate.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        return (try PeerProcess.tollgate(config: config, directory: directory, name: "tollgate-media"), directory)
    }

    @Test("an outside side that requires SRTP answers a plain offer with 488 and an event")
    func requiredSRTPRefusesPlain() throws {
        let port = 5480
        let (gateway, _) = try Self.gateway("""
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:\(port + 2)", probe: { enabled: false } }
            media:
              ports: 30000-30099
              outside: { srtp: required }
            """)
        defer { gateway.stop() }
        let (call, log) = try Self.call(port: port, sipPort: port + 2, rtpPort: 17_480, srtp: false)
        let result = try #require(call, "phone: \(log)")
        #expect(!result.completed)
        #expect(result.error == "INVITE answered 488", "\(result)")
        #expect(gateway.waitForLog("media-refused", timeout: 5), "gateway: \(gateway.log.suffix(2000))")
    }

    @Test("a call whose media died is ended by the gateway: a BYE to each side, calls both ways, and the CDR says why")
    func deadMediaHangsUp() throws {
        let port = 5490
        let (gateway, directory) = try Self.gateway("""
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
              - { zone: internal, listen: "udp:127.0.0.1:\(port + 5)" }
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:\(port + 2)", probe: { enabled: false } }
            routes:
              - { prefix: "", trunks: [carrier] }
            media:
              ports: 30100-30199
              timeout: 2
            """)
        defer { gateway.stop() }

        // In from the trunk: neither side sends RTP; both get the gateway's BYE and answer it.
        let pbxLog = GatewayTrunkTests.messageLog()
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: port + 1, calls: 1,
                                       extra: ["-mi", "127.0.0.20", "-trace_msg", "-message_file", pbxLog.path])
        defer { pbx.stop() }
        usleep(300_000)
        let callerLog = GatewayTrunkTests.messageLog()
        let caller = try PeerProcess.sipp("uac-hung-up.xml", local: "127.0.0.10", port: port + 2, remote: "127.0.0.1:\(port)", calls: 1,
                                          extra: ["-s", "201", "-mi", "127.0.0.10", "-trace_msg", "-message_file", callerLog.path])
        #expect(caller.wait(timeout: 30) == 0, "caller: \(caller.log.suffix(1500))\ngateway: \(gateway.log.suffix(3000))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")
        for (name, log) in [("caller", callerLog), ("pbx", pbxLog)] {
            let seen = try GatewayTrunkTests.received(log)
            #expect(seen.contains("BYE sip:") && seen.contains("Reason: Q.850;cause=102;text=\"media timeout\""), "\(name): \(seen.suffix(1200))")
            #expect(!seen.contains("127.0.0.20") || name == "pbx", "the caller never sees the PBX's address")
        }

        // Out through the trunk: the PBX calls, the carrier answers, and again both are hung up.
        let carrier = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.10", port: port + 2, calls: 1, extra: ["-mi", "127.0.0.10"])
        defer { carrier.stop() }
        usleep(300_000)
        let pbxCaller = try PeerProcess.sipp("uac-hung-up.xml", local: "127.0.0.20", port: port + 1, remote: "127.0.0.1:\(port + 5)", calls: 1,
                                             extra: ["-s", "00441632960123", "-mi", "127.0.0.20"])
        #expect(pbxCaller.wait(timeout: 30) == 0, "pbx: \(pbxCaller.log.suffix(1500))\ngateway: \(gateway.log.suffix(3000))")
        #expect(carrier.wait(timeout: 10) == 0, "carrier: \(carrier.log.suffix(1500))")

        gateway.stop()
        let export = try PeerProcess(name: "cdr-export", executable: Peers.tollgate, arguments: ["cdr", "export", "--format", "csv"],
                                     directory: directory)
        export.wait(timeout: 20)
        let rows = export.log.split(separator: "\n").filter { $0.contains("bound,") }
        #expect(rows.count == 2, "cdr export: \(export.log)")
        for row in rows {
            #expect(row.contains(",answered,") && row.contains(",gateway,media-timeout,"), "cdr: \(row)")
        }
    }
}
