import Foundation
import Testing

/// A real softphone through `tollgate serve` with no configuration: baresip (module srtp, audio from
/// a WAV file, no sound card) on 127.0.0.30 and a plain-RTP PBX that echoes audio (sipp with
/// `-rtp_echo`) on 127.0.0.20.
@Suite("baresip with SRTP through the anchor", .serialized)
struct BaresipMediaTests {
    /// A baresip configuration folder: the account, a 5-second 440 Hz tone to send, modules from Debian's package.
    static func phone(mediaenc: String, port: Int, console: Int? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("baresip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var samples = Data()
        for index in 0..<(8000 * 5) {
            var sample = Int16(8000 * sin(2 * Double.pi * 440 * Double(index) / 8000)).littleEndian
            withUnsafeBytes(of: &sample) { samples.append(contentsOf: $0) }
        }
        var wav = Data("RIFF".utf8)
        func le32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { wav.append(contentsOf: $0) } }
        func le16(_ value: Int) { withUnsafeBytes(of: UInt16(value).littleEndian) { wav.append(contentsOf: $0) } }
        le32(36 + samples.count)
        wav.append(contentsOf: Data("WAVEfmt ".utf8))
        le32(16)
        le16(1)  // PCM
        le16(1)  // mono
        le32(8000)
        le32(16000)
        le16(2)
        le16(16)
        wav.append(contentsOf: Data("data".utf8))
        le32(samples.count)
        wav.append(samples)
        try wav.write(to: folder.appendingPathComponent("tone.wav"))
        try """
            poll_method epoll
            sip_listen 127.0.0.30:\(port)
            audio_source aufile,\(folder.path)/tone.wav
            audio_player aufile,\(folder.path)/received.wav
            audio_srate 8000
            audio_channels 1
            module_path /usr/lib/baresip/modules
            module g711.so
            module aufile.so
            module srtp.so
            module stdio.so
            \(console.map { "module cons.so\ncons_listen 127.0.0.30:\($0)" } ?? "")
            module_app account.so
            module_app menu.so

            """.write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try "<sip:01632960123@127.0.0.30:\(port)>;regint=0;mediaenc=\(mediaenc);answermode=auto;audio_codecs=PCMU\n"
            .write(to: folder.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)
        return folder
    }

    /// What baresip printed, with its status-line carriage returns as line breaks.
    static func lines(_ log: String) -> [String] {
        log.replacingOccurrences(of: "\r", with: "\n").split(separator: "\n").map(String.init)
    }

    /// Whether baresip received audio: its status line shows a receive bit rate above zero.
    static func receivedAudio(_ log: String) -> Bool {
        lines(log).contains { $0.range(of: #"audio=\d+/[1-9]\d*"#, options: .regularExpression) != nil }
    }

    /// baresip's complaints about SRTP (none expected).
    static func srtpErrors(_ log: String) -> [String] {
        lines(log).filter { $0.lowercased().contains("srtp") && ($0.contains("fail") || $0.contains("rror")) }
    }

    @Test("baresip with mandatory SRTP calls a plain-RTP PBX: the call is encrypted outside, its audio comes back, the PBX stays hidden")
    func phoneCallsPBX() throws {
        let port = 5560
        let folder = try Self.phone(mediaenc: "srtp-mand", port: port + 5)
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("pbx-\(UUID().uuidString).log")
        let gateway = try PeerProcess.tollgate(["--pbx", "udp:127.0.0.20:\(port + 1)", "--listen", "udp:127.0.0.1:\(port)",
                                                "--trunk", "udp:127.0.0.30:\(port + 5)"])
        defer { gateway.stop() }
        let pbx = try MediaAnchorTests.echoingPBX(port: port + 1, mediaPort: 16_560, calls: 1, trace: trace)
        defer { pbx.stop() }
        usleep(300_000)
        let capture = try LoopbackCapture()
        let phone = try PeerProcess(name: "baresip", executable: Peers.executable("baresip"),
                                    arguments: ["-f", folder.path, "-e", "/dial sip:200@127.0.0.1:\(port)", "-t", "7"])
        phone.wait(timeout: 30)
        let datagrams = try capture.stop()
        let log = phone.log
        #expect(log.contains("SRTP is Enabled"), "baresip: \(log.suffix(3000))\ngateway: \(gateway.log.suffix(2000))")
        #expect(log.contains("Call established"))
        #expect(log.contains("receiving from 127.0.0.1:"), "media comes from Tollgate, not from the PBX")
        #expect(!log.contains("127.0.0.20"), "nothing the phone shows names the PBX")
        #expect(Self.receivedAudio(log), "the phone gets its audio back")
        #expect(Self.srtpErrors(log).isEmpty, "\(Self.srtpErrors(log))")
        pbx.wait(timeout: 10)
        let seenByPBX = (try? String(contentsOf: trace, encoding: .utf8)) ?? ""
        #expect(!seenByPBX.contains("c=IN IP4 127.0.0.30") && !seenByPBX.contains("a=crypto"), "the PBX is offered plain RTP from Tollgate")
        #expect(seenByPBX.contains("c=IN IP4 127.0.0.1"))

        // On the wire: the audio the PBX's leg carries in clear (the phone's voice and its echo)
        // never appears on the phone's leg, which carries only SRTP.
        let sip: Set<Int> = [port, port + 1, port + 5]
        let media = datagrams.filter { !sip.contains($0.sourcePort) && !sip.contains($0.destinationPort) }
        let insidePayloads = media.filter { ($0.source == "127.0.0.20" || $0.destination == "127.0.0.20") && $0.payload.count >= 172 }
            .map { Array($0.payload[12..<172]) }
        // The phone's leg is everything else: baresip sends its media from an address of its own choosing.
        let outside = media.filter { $0.source != "127.0.0.20" && $0.destination != "127.0.0.20" }
        #expect(insidePayloads.count > 100 && outside.count > 100, "captured \(insidePayloads.count) inside, \(outside.count) outside of \(datagrams.count)")
        let leaked = outside.filter { packet in insidePayloads.contains { packet.payload.contains(bytes: $0) } }
        #expect(leaked.isEmpty, "\(leaked.count) packets on the phone's leg carry the PBX leg's audio in clear")
    }

    @Test("the PBX calls baresip, which takes Tollgate's best-effort SRTP offer; audio flows both ways")
    func pbxCallsPhone() throws {
        let port = 5570
        let folder = try Self.phone(mediaenc: "srtp", port: port + 5)
        let gateway = try PeerProcess.tollgate(["--pbx", "udp:127.0.0.20:\(port + 1)", "--listen", "udp:127.0.0.1:\(port)",
                                                "--trunk", "udp:127.0.0.30:\(port + 5)"])
        defer { gateway.stop() }
        let phone = try PeerProcess(name: "baresip", executable: Peers.executable("baresip"), arguments: ["-f", folder.path, "-t", "9"])
        defer { phone.stop() }
        usleep(800_000)
        let pbx = try PeerProcess(name: "sipp-uac-echo", executable: Peers.executable("sipp"), arguments: [
            "-sn", "uac", "-rtp_echo", "-i", "127.0.0.20", "-p", String(port + 2), "-mi", "127.0.0.20", "-mp", "16570",
            "-m", "1", "-d", "4000", "-s", "01632960123", "-nostdin", "-timeout", "30", "127.0.0.1:\(port)",
        ])
        #expect(pbx.wait(timeout: 30) == 0, "pbx: \(pbx.log.suffix(1500))\ngateway: \(gateway.log.suffix(2000))")
        phone.wait(timeout: 15)
        let log = phone.log
        #expect(log.contains("SRTP is Enabled"), "baresip: \(log.suffix(3000))")
        #expect(log.contains("receiving from 127.0.0.1:"))
        #expect(!log.contains("127.0.0.20"))
        #expect(Self.receivedAudio(log))
        #expect(Self.srtpErrors(log).isEmpty, "\(Self.srtpErrors(log))")
    }

    /// Sends baresip a command through its UDP console (module cons).
    static func command(_ text: String, port: Int) throws {
        let sender = try PeerProcess(name: "console", executable: Peers.executable("python3"), arguments: [
            "-c", "import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[1].encode() + b'\\n', ('127.0.0.30', int(sys.argv[2])))",
            text, String(port),
        ])
        sender.wait(timeout: 5)
    }

    @Test("baresip puts its SRTP call on hold and resumes it: both re-INVITEs reach the PBX, and audio flows both ways again with no SRTP error")
    func holdAndResume() throws {
        let port = 5580
        let folder = try Self.phone(mediaenc: "srtp-mand", port: port + 5, console: port + 9)
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("pbx-\(UUID().uuidString).log")
        let gateway = try PeerProcess.tollgate(["--pbx", "udp:127.0.0.20:\(port + 1)", "--listen", "udp:127.0.0.1:\(port)",
                                                "--trunk", "udp:127.0.0.30:\(port + 5)"])
        defer { gateway.stop() }
        let pbx = try PeerProcess(name: "sipp-echo-hold", executable: Peers.executable("sipp"), arguments: [
            "-sf", Peers.scenarios.appendingPathComponent("uas-echo-hold.xml").path, "-rtp_echo", "-i", "127.0.0.20", "-p", String(port + 1),
            "-mi", "127.0.0.20", "-mp", "16580", "-m", "1", "-nostdin", "-timeout", "30", "-trace_msg", "-message_file", trace.path,
        ])
        defer { pbx.stop() }
        usleep(300_000)
        let capture = try LoopbackCapture()
        let phone = try PeerProcess(name: "baresip", executable: Peers.executable("baresip"),
                                    arguments: ["-f", folder.path, "-e", "/dial sip:200@127.0.0.1:\(port)", "-t", "8"])
        defer { phone.stop() }
        #expect(phone.waitForLog("Call established", timeout: 10), "baresip: \(phone.log.suffix(2000))")
        usleep(1_500_000)
        try Self.command("/hold", port: port + 9)
        usleep(1_500_000)
        try Self.command("/resume", port: port + 9)
        phone.wait(timeout: 20)
        let datagrams = try capture.stop()
        let log = phone.log
        #expect(log.contains("call: hold") && log.contains("call: resume"), "baresip: \(log.suffix(3000))")
        #expect(Self.srtpErrors(log).isEmpty, "\(Self.srtpErrors(log))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")

        let seenByPBX = (try? String(contentsOf: trace, encoding: .utf8)) ?? ""
        let invites = seenByPBX.components(separatedBy: "INVITE sip:").dropFirst()
        #expect(invites.count == 3, "the call, its hold and its resume")
        #expect(invites.dropFirst().first?.contains("a=sendonly") == true && invites.last?.contains("a=sendrecv") == true)
        #expect(!seenByPBX.contains("a=crypto"), "plain RTP towards the PBX throughout")

        // After the resume, audio goes both ways on both legs again.
        let resumed = try #require(datagrams.last { $0.destination == "127.0.0.20" && $0.payload.starts(with: Array("INVITE ".utf8)) }).time
        let sip: Set<Int> = [port, port + 1, port + 5, port + 9]
        let media = datagrams.filter { $0.time > resumed && !sip.contains($0.sourcePort) && !sip.contains($0.destinationPort) && $0.payload.count > 100 }
        let toPBX = media.filter { $0.destination == "127.0.0.20" }.count
        let fromPBX = media.filter { $0.source == "127.0.0.20" }.count
        let toPhone = media.filter { $0.source == "127.0.0.1" && $0.destination != "127.0.0.20" && $0.sourcePort >= 20_000 && $0.sourcePort < 40_000 }.count
        let fromPhone = media.filter { $0.destination == "127.0.0.1" && $0.source != "127.0.0.20" && $0.destinationPort >= 20_000 && $0.destinationPort < 40_000 }.count
        #expect([toPBX, fromPBX, toPhone, fromPhone].allSatisfy { $0 > 50 }, "after resume: to PBX \(toPBX), from PBX \(fromPBX), to phone \(toPhone), from phone \(fromPhone)")
    }
}
