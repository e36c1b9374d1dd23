import Benchmark
import Logging
import NIOCore
import NIOEmbedded
import SIPCore
import SIPTransport
import Foundation
import TollgateConfig
import TollgateFraud
import TollgateGateway
import TollgateModel

/// The proxy's own work for one call, without sockets: the trunk's INVITE (with SDP), the PBX's 200
/// (with SDP), the ACK, the BYE and its 200, through `SIPProxy.receive` as the UDP listener hands
/// them over, with the same messages as the load harness's sipp scenarios. The peers' side (building
/// the 200s, the ACK and the BYE from what the proxy sent) is part of each iteration; the benchmark
/// "peers only" measures it alone.

let trunk = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.10", port: 5090))
let pbx = try! SIPPeer(transport: .udp, address: SocketAddress(ipAddress: "127.0.0.20", port: 5080))

/// Keeps the last message the proxy sent to each side.
final class LastSent: SIPOutbound {
    var toPBX: [UInt8] = []
    var toTrunk: [UInt8] = []
    func send(_ bytes: [UInt8], to peer: SIPPeer, from listener: Int?) {
        if peer.ipAddress == "127.0.0.20" { toPBX = bytes } else { toTrunk = bytes }
    }
}

struct CallScript {
    let sdp = """
        v=0\r
        o=user1 53655765 2353687637 IN IP4 127.0.0.10\r
        s=-\r
        c=IN IP4 127.0.0.10\r
        t=0 0\r
        m=audio 6000 RTP/AVP 0 8 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-15\r

        """
    let answerSDP = """
        v=0\r
        o=user1 53655765 2353687637 IN IP4 127.0.0.20\r
        s=-\r
        c=IN IP4 127.0.0.20\r
        t=0 0\r
        m=audio 6002 RTP/AVP 0\r
        a=rtpmap:0 PCMU/8000\r

        """

    func request(_ method: String, call: Int, cseq: Int, toTag: String?, routes: [String], body: String = "") -> [UInt8] {
        var text = "\(method) sip:201@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.10:5090;branch=z9hG4bK-\(call)-\(cseq)\r\n"
        for route in routes { text += "Route: \(route)\r\n" }
        text += "From: sipp <sip:sipp@127.0.0.10:5090>;tag=1SIPpTag00\(call)\r\n"
        text += "To: 201 <sip:201@127.0.0.1:5070>\(toTag.map { ";tag=\($0)" } ?? "")\r\nCall-ID: \(call)-bench@127.0.0.10\r\n"
        text += "CSeq: \(cseq) \(method)\r\nContact: sip:sipp@127.0.0.10:5090\r\nMax-Forwards: 70\r\n"
        if method == "INVITE" { text += "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n" }
        if !body.isEmpty { text += "Content-Type: application/sdp\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(text.utf8)
    }

    /// The PBX's 200 to what the proxy forwarded: its Vias, From, To (with a tag), Call-ID, CSeq and
    /// Record-Route copied, as sipp's `[last_*:]` fields do.
    func answer(_ forwarded: [UInt8], withSDP: Bool) -> [UInt8] {
        guard let request = try? SIPMessage(parsing: forwarded) else { return [] }
        var text = "SIP/2.0 200 OK\r\n"
        for via in request.values(of: .via) { text += "Via: \(via)\r\n" }
        text += "From: \(request.firstValue(of: .from) ?? "")\r\n"
        let to = request.firstValue(of: .to) ?? ""
        text += "To: \(to)\(to.contains(";tag=") ? "" : ";tag=2SIPpTag01")\r\n"
        text += "Call-ID: \(request.firstValue(of: .callID) ?? "")\r\nCSeq: \(request.firstValue(of: .cseq) ?? "")\r\n"
        for route in request.values(of: .recordRoute) { text += "Record-Route: \(route)\r\n" }
        text += "Contact: <sip:127.0.0.20:5080;transport=UDP>\r\n"
        if withSDP { text += "Content-Type: application/sdp\r\nContent-Length: \(answerSDP.utf8.count)\r\n\r\n\(answerSDP)" }
        else { text += "Content-Length: 0\r\n\r\n" }
        return Array(text.utf8)
    }

    /// The To tag and Record-Route of the 200 the trunk received.
    func dialog(of response: [UInt8]) -> (tag: String?, routes: [String]) {
        guard let message = try? SIPMessage(parsing: response) else { return (nil, []) }
        return ((try? message.to())?.tag, message.values(of: .recordRoute))
    }
}

func makeProxy(_ outbound: LastSent, loop: EmbeddedEventLoop) -> SIPProxy {
    var config = TollgateConfig(
        listeners: [ListenerConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.1", port: 5070))],
        pbx: PBXConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.20", port: 5080)),
        trunks: [TrunkConfig(name: "carrier", endpoint: Endpoint(transport: .udp, host: "127.0.0.10", port: 5090))]
    )
    config.routes = [RouteRule(prefix: "", trunks: ["carrier"])]
    let settings = try! ProxySettings.resolve(config)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return SIPProxy(settings: settings, eventLoop: loop, outbound: outbound, logger: logger)
}

/// An outbound call as the PBX places it: extension `account` dials `number`, the carrier answers.
struct OutboundScript {
    let script = CallScript()

    func invite(call: Int, account: String, number: String) -> [UInt8] {
        var text = "INVITE sip:\(number)@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.20:5080;branch=z9hG4bK-out-\(call)\r\n"
        text += "From: <sip:\(account)@127.0.0.20>;tag=pbx\(call)\r\nTo: <sip:\(number)@127.0.0.1>\r\nCall-ID: out-\(call)@127.0.0.20\r\n"
        text += "CSeq: 1 INVITE\r\nContact: <sip:\(account)@127.0.0.20:5080>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n"
        text += "Content-Length: \(script.sdp.utf8.count)\r\n\r\n\(script.sdp)"
        return Array(text.utf8)
    }

    func inDialog(_ method: String, call: Int, cseq: Int, toTag: String?, routes: [String]) -> [UInt8] {
        var text = "\(method) sip:carrier@127.0.0.10:5090 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.20:5080;branch=z9hG4bK-out-\(call)-\(cseq)\r\n"
        for route in routes { text += "Route: \(route)\r\n" }
        text += "From: <sip:2001@127.0.0.20>;tag=pbx\(call)\r\nTo: <sip:x@127.0.0.1>\(toTag.map { ";tag=\($0)" } ?? "")\r\n"
        text += "Call-ID: out-\(call)@127.0.0.20\r\nCSeq: \(cseq) \(method)\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        return Array(text.utf8)
    }
}

/// A proxy with fraud control as the gateway runs it: thresholds, and with `baselines` each
/// account's normal learned from 60 days of history (50 accounts, 20 calls a working day each).
func makeFraudProxy(_ outbound: LastSent, loop: EmbeddedEventLoop, baselines: Bool) -> SIPProxy {
    let proxy = makeProxy(outbound, loop: loop)
    var config = FraudConfig()
    config.anomalies.enabled = baselines
    config.defaultClassOfService = "international"
    let fraud = try! FraudControl(config: config, classifier: NumberClassifier(config: config.numbering, prefixes: try! HighRiskPrefixes.shipped()))
    if baselines {
        let now = Date()
        var history: [CallDetailRecord] = []
        for day in 1...60 where day % 7 < 5 {
            for account in 0..<50 {
                for call in 0..<20 {
                    let start = now.addingTimeInterval(-Double(day) * 86_400 + Double(9 * 3600 + call * 1500))
                    history.append(CallDetailRecord(callID: "h-\(day)-\(account)-\(call)", direction: .outbound, from: "\(2000 + account)",
                                                    to: call % 5 == 0 ? "0033142\(100000 + call)" : "01632960\(100 + call)",
                                                    destinationClass: call % 5 == 0 ? "international" : "national", account: "\(2000 + account)",
                                                    source: "127.0.0.20", start: start, answer: start.addingTimeInterval(5),
                                                    end: start.addingTimeInterval(185), disposition: .answered))
                }
            }
        }
        loop.execute { fraud.learn(history: history) }
    }
    loop.execute { proxy.addCallHook(FraudCallHook(control: fraud, events: proxy.events)) }
    loop.run()
    return proxy
}

/// One outbound call through the proxy: the PBX's INVITE, the carrier's 200, the ACK, the BYE, its 200.
func relayOutbound(_ proxy: SIPProxy, _ outbound: LastSent, _ out: OutboundScript, call: Int) {
    let number = call % 5 == 0 ? "0033142\(100000 + call % 1000)" : "01632960\(100 + call % 800)"
    proxy.receive(SIPInboundPacket(bytes: out.invite(call: call, account: "\(2000 + call % 50)", number: number), source: pbx, listener: 0))
    proxy.receive(SIPInboundPacket(bytes: out.script.answer(outbound.toTrunk, withSDP: true), source: trunk, listener: 0))
    let (tag, routes) = out.script.dialog(of: outbound.toPBX)
    proxy.receive(SIPInboundPacket(bytes: out.inDialog("ACK", call: call, cseq: 1, toTag: tag, routes: routes), source: pbx, listener: 0))
    proxy.receive(SIPInboundPacket(bytes: out.inDialog("BYE", call: call, cseq: 2, toTag: tag, routes: routes), source: pbx, listener: 0))
    proxy.receive(SIPInboundPacket(bytes: out.script.answer(outbound.toTrunk, withSDP: false), source: trunk, listener: 0))
}

let benchmarks: @Sendable () -> Void = {
    // Each sample relays 1000 calls through one proxy (its set-up is outside the measurement).
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo,
                                           maxDuration: .seconds(5))

    Benchmark("Relay one call (INVITE, 200, ACK, BYE, 200)") { benchmark in
        let loop = EmbeddedEventLoop()
        let outbound = LastSent()
        let proxy = makeProxy(outbound, loop: loop)
        let script = CallScript()
        var call = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            call += 1
            proxy.receive(SIPInboundPacket(bytes: script.request("INVITE", call: call, cseq: 1, toTag: nil, routes: [], body: script.sdp), source: trunk, listener: 0))
            proxy.receive(SIPInboundPacket(bytes: script.answer(outbound.toPBX, withSDP: true), source: pbx, listener: 0))
            let (tag, routes) = script.dialog(of: outbound.toTrunk)
            proxy.receive(SIPInboundPacket(bytes: script.request("ACK", call: call, cseq: 1, toTag: tag, routes: routes), source: trunk, listener: 0))
            proxy.receive(SIPInboundPacket(bytes: script.request("BYE", call: call, cseq: 2, toTag: tag, routes: routes), source: trunk, listener: 0))
            proxy.receive(SIPInboundPacket(bytes: script.answer(outbound.toPBX, withSDP: false), source: pbx, listener: 0))
            // A second passes every 100 calls, so the transactions of the first calls finish lingering
            // (8 s) and expire within the sample, as they do in service.
            if call % 100 == 0 { loop.advanceTime(by: .seconds(1)) }
        }
        benchmark.stopMeasurement()
        blackHole(proxy.snapshot)
        proxy.stop()
    }

    for baselines in [false, true] {
        Benchmark(baselines ? "Relay one outbound call, fraud thresholds and each account's normal" : "Relay one outbound call, fraud thresholds only") { benchmark in
            let loop = EmbeddedEventLoop()
            let outbound = LastSent()
            let proxy = makeFraudProxy(outbound, loop: loop, baselines: baselines)
            let out = OutboundScript()
            var call = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                call += 1
                relayOutbound(proxy, outbound, out, call: call)
                if call % 100 == 0 { loop.advanceTime(by: .seconds(1)) }
            }
            benchmark.stopMeasurement()
            blackHole(proxy.snapshot)
            proxy.stop()
        }
    }

    Benchmark("Peers only: the messages of one call built and read, no proxy") { benchmark in
        let script = CallScript()
        var call = 0
        // Stand-ins for what the proxy would have sent: the requests themselves, and a 200 to the INVITE.
        let invite = script.request("INVITE", call: 0, cseq: 1, toTag: nil, routes: [], body: script.sdp)
        let ok = script.answer(invite, withSDP: true)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            call += 1
            blackHole(script.request("INVITE", call: call, cseq: 1, toTag: nil, routes: [], body: script.sdp))
            blackHole(script.answer(invite, withSDP: true))
            let (tag, routes) = script.dialog(of: ok)
            blackHole(script.request("ACK", call: call, cseq: 1, toTag: tag, routes: routes))
            let bye = script.request("BYE", call: call, cseq: 2, toTag: tag, routes: routes)
            blackHole(script.answer(bye, withSDP: false))
        }
    }
}
