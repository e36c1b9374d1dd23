import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
import TollgateMedia

/// Drives a media relay over loopback: CALLS phones (127.0.0.30) each send G.711 at 50 packets/s,
/// SRTP (or plain RTP with `--plain`) to their call's outside port; the relay decrypts and sends plain
/// RTP to the PBX side (127.0.0.20), where each packet's delay is measured from the send time it
/// carries. Prints packets/s, the relay's CPU per packet, memory per call and the added latency.
///
/// The relay is Tollgate's (`MediaRelay` in this process, on one media loop: one core), or with
/// `--rtpengine HOST:PORT` an rtpengine daemon running beside it, whose calls are set up over its ng
/// control protocol (offer with the phone's SDP and `transport-protocol: RTP/AVP`, answer with the
/// PBX's) and whose whole process's CPU is counted.
///   MediaLoad [CALLS] [SECONDS] [--plain] [--rtpengine HOST:PORT]
@main
struct MediaLoad {
    final class Received: @unchecked Sendable {
        let lock = NIOLock()
        var count = 0
        var sent = 0
        var delays: [UInt64] = []
        var measuring = false
    }

    final class PBXHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received: Received
        init(_ received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let now = DispatchTime.now().uptimeNanoseconds
            let buffer = unwrapInboundIn(data).data
            guard let sent: UInt64 = buffer.getInteger(at: buffer.readerIndex + 12) else { return }
            received.lock.withLock {
                guard received.measuring else { return }
                received.count += 1
                if received.delays.count < 2_000_000 { received.delays.append(now &- sent) }
            }
        }
    }

    struct Phone {
        var channel: Channel
        var context: SRTPContext?
        var port: UInt16
        var sequence: UInt16 = 0
    }

    static func threadCPU(_ tid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The process's resident memory in bytes (from /proc/self/statm).
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func main() async throws {
        let all = Array(CommandLine.arguments.dropFirst())
        let engineIndex = all.firstIndex(of: "--rtpengine")
        let engineAddress = engineIndex.flatMap { all.indices.contains($0 + 1) ? all[$0 + 1] : nil }
        let arguments = all.enumerated().filter { !$0.element.hasPrefix("--") && $0.offset != engineIndex.map { $0 + 1 } }.map(\.element)
        let calls = arguments.first.flatMap(Int.init) ?? 500
        let seconds = arguments.dropFirst().first.flatMap(Int.init) ?? 10
        let srtp = !all.contains("--plain")
        var engine: RTPEngineClient?
        if let engineAddress {
            let parts = engineAddress.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                print("--rtpengine takes HOST:PORT (its ng listener)")
                return
            }
            engine = try RTPEngineClient(host: String(parts[0]), port: port)
            guard RTPEngineClient.processUsage() != nil else {
                print("no rtpengine process is running")
                return
            }
        }

        let relayLoops = try MediaLoopGroup(numberOfThreads: 1)
        let peers = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let relay = MediaRelay(configuration: .init(ports: 30_000...39_999), loops: relayLoops) { _ in }
        // The relay loop's thread id: the task of this process named after the first media loop.
        try await Task.sleep(for: .milliseconds(100))
        let relayThread = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { task -> Int32? in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return name.trimmingCharacters(in: .whitespacesAndNewlines) == "tg-media-0" ? Int32(task) : nil
        }.first ?? 0
        guard engine != nil || relayThread != 0 else {
            print("the media loop's thread (tg-media-0) was not found: its CPU cannot be measured")
            return
        }
        let received = Received()

        var phones: [Phone] = []
        // The peers' own sockets are opened first, so the memory counted per call is the relay's.
        var peerChannels: [(phone: Channel, pbx: Channel)] = []
        for _ in 0..<calls {
            let phone = try await DatagramBootstrap(group: peers).bind(host: "127.0.0.30", port: 0).get()
            let pbx = try await DatagramBootstrap(group: peers)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PBXHandler(received)) } }
                .bind(host: "127.0.0.20", port: 0).get()
            peerChannels.append((phone, pbx))
        }
        try await Task.sleep(for: .milliseconds(200))
        let memoryBefore = engine == nil ? residentBytes() : RTPEngineClient.processUsage()?.resident ?? 0
        for index in 0..<calls {
            let (phone, pbx) = peerChannels[index]
            let key = SRTPMasterKey.random(profile: .aesCM128HMACSHA1_80)
            let crypto = srtp ? "a=" + SDPCrypto(tag: 1, suite: key.profile.sdesName, keySalt: key.keyAndSalt).attribute.lineValue + "\r\n" : ""
            let offer = try SDPSession(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.30\r\ns=-\r\nc=IN IP4 127.0.0.30\r\nt=0 0\r\n"
                + "m=audio \(phone.localAddress!.port!) \(srtp ? "RTP/SAVP" : "RTP/AVP") 0\r\n" + crypto)
            let answer = try SDPSession(parsing: "v=0\r\no=- 2 2 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\n"
                + "m=audio \(pbx.localAddress!.port!) RTP/AVP 0\r\n")
            if let engine {
                // rtpengine anchors the call: SRTP (or RTP) from the phone, plain RTP to the PBX.
                let callID = "load-\(index)-\(getpid())"
                _ = try engine.request("offer", [
                    ("call-id", .string(callID)), ("from-tag", .string("phone\(index)")), ("sdp", .bytes(offer.serialized())),
                    ("transport-protocol", .string("RTP/AVP")), ("replace", .list([.string("origin"), .string("session-connection")])),
                ])
                let reply = try engine.request("answer", [
                    ("call-id", .string(callID)), ("from-tag", .string("phone\(index)")), ("to-tag", .string("pbx\(index)")),
                    ("sdp", .bytes(answer.serialized())),
                ])
                let towardsPhone = try SDPSession(parsing: reply["sdp"]?.text ?? "")
                phones.append(Phone(channel: phone, context: srtp ? SRTPContext(key: key) : nil, port: towardsPhone.media[0].port))
                continue
            }
            let call = relay.open(callID: "load-\(index)")
            var negotiation = MediaNegotiation(inside: MediaSideSettings(address: "127.0.0.1", srtp: .off, suites: []),
                                               outside: MediaSideSettings(address: "127.0.0.1", srtp: .optional, suites: [.aesCM128HMACSHA1_80]),
                                               sessionID: UInt64(index + 1))
            let bind: (MediaSide, Int) -> UInt16? = { side, stream in call.bindPorts(side: side, address: "127.0.0.1", stream: stream) }
            _ = try negotiation.process(offer, from: .outside, isRequest: true, allocate: bind)
            let towardsPhone = try negotiation.process(answer, from: .inside, isRequest: false, allocate: bind)
            call.apply(negotiation.streams)
            phones.append(Phone(channel: phone, context: srtp ? SRTPContext(key: key) : nil, port: towardsPhone.media[0].port))
        }
        try await Task.sleep(for: .milliseconds(500))
        let memoryPerCall = (residentBytes() - memoryBefore) / max(1, calls)

        // Every 20 ms each phone sends one packet: 12-byte header, 160-byte payload whose first 8 bytes are the send time.
        let loop = peers.next()
        let state = NIOLoopBoundBox.makeBoxSendingValue(phones, eventLoop: loop)
        let destination = { (port: UInt16) in try! SocketAddress(ipAddress: "127.0.0.1", port: Int(port)) }
        let task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(20)) { _ in
            var phones = state.value
            for index in phones.indices {
                phones[index].sequence &+= 1
                var buffer = ByteBufferAllocator().buffer(capacity: 12 + 160 + SRTPContext.maximumOverhead)
                buffer.writeInteger(UInt8(0x80))
                buffer.writeInteger(UInt8(0))
                buffer.writeInteger(phones[index].sequence)
                buffer.writeInteger(UInt32(phones[index].sequence) &* 160)
                buffer.writeInteger(UInt32(index + 1))
                buffer.writeInteger(DispatchTime.now().uptimeNanoseconds)
                buffer.writeRepeatingByte(0xD5, count: 152)
                if phones[index].context != nil {
                    let length = buffer.readableBytes
                    buffer.writeRepeatingByte(0, count: SRTPContext.maximumOverhead)
                    let protected = buffer.withUnsafeMutableReadableBytes { bytes in try? phones[index].context!.protectRTP(bytes, length: length) }
                    buffer.moveWriterIndex(to: buffer.readerIndex + (protected ?? length))
                }
                phones[index].channel.write(AddressedEnvelope(remoteAddress: destination(phones[index].port), data: buffer), promise: nil)
            }
            for phone in phones { phone.channel.flush() }
            state.value = phones
            received.lock.withLock { if received.measuring { received.sent += phones.count } }
        }

        try await Task.sleep(for: .seconds(2))
        let relayCPU = { engine == nil ? threadCPU(relayThread) : RTPEngineClient.processUsage()?.cpu ?? 0 }
        let cpuBefore = relayCPU()
        let start = DispatchTime.now().uptimeNanoseconds
        received.lock.withLock { received.measuring = true }
        try await Task.sleep(for: .seconds(seconds))
        received.lock.withLock { received.measuring = false }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = relayCPU() - cpuBefore
        task.cancel()

        let (count, sent, delays) = received.lock.withLock { (received.count, received.sent, received.delays.sorted()) }
        func percentile(_ p: Double) -> Double { delays.isEmpty ? 0 : Double(delays[min(delays.count - 1, Int(Double(delays.count) * p))]) / 1000 }
        print("""
            \(engine == nil ? "Tollgate" : "rtpengine"): \(calls) calls, \(srtp ? "SRTP → RTP" : "RTP → RTP"), \(seconds) s
            relayed \(count) of \(sent) packets sent, \(String(format: "%.0f", Double(count) / elapsed)) packets/s (the generator's pace: \(String(format: "%.0f", Double(sent) / elapsed)) sent/s of \(calls * 50) due)
            relay loop CPU: \(String(format: "%.1f", 100 * cpu / elapsed))% of a core, \(String(format: "%.2f", cpu * 1e6 / max(1, Double(count)))) µs per packet
            relay memory per call: \(memoryPerCall > 0 ? "\(memoryPerCall / 1024) KiB" : "not measurable (the process's resident set did not grow)")
            added latency (send to PBX, through the relay): p50 \(String(format: "%.0f", percentile(0.5))) µs, p99 \(String(format: "%.0f", percentile(0.99))) µs, p99.9 \(String(format: "%.0f", percentile(0.999))) µs
            """)
        if let engine {
            for index in 0..<calls { _ = try? engine.request("delete", [("call-id", .string("load-\(index)-\(getpid())"))]) }
        }
        try await peers.shutdownGracefully()
        await relayLoops.shutdown()
    }
}
