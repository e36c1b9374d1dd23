import Benchmark
import SIPCore
import TollgateConfig
import TollgateShield
import TollgateModel

/// Shield's per-packet costs: the pre-parse check every packet pays, the check of a trunk's
/// request, and the full check of an untrusted phone's request (fingerprints and behaviour).
func makeEngine() -> ShieldEngine {
    var config = TollgateConfig(
        listeners: [ListenerConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.1", port: 5060))],
        pbx: PBXConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.20", port: 5080)),
        trunks: [TrunkConfig(name: "carrier", endpoint: Endpoint(transport: .udp, host: "127.0.0.10", port: 5090))]
    )
    config.shield.profiles["untrusted"] = RateProfile(requestsPerSecond: 0, burst: 0)
    config.shield.globalRequestsPerSecond = 0
    let fingerprints = (try? ScannerFingerprints.shipped()) ?? ScannerFingerprints()
    return ShieldEngine(rules: ShieldRules(config: config, fingerprints: fingerprints), now: 0)
}

func message(_ agent: String) -> SIPMessage {
    let text = """
        REGISTER sip:pbx.example.com SIP/2.0\r
        Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-524287-1---77ba0a2c7e3c;rport\r
        Max-Forwards: 70\r
        Contact: <sip:201@198.51.100.7:5060;transport=udp>\r
        To: <sip:201@pbx.example.com>\r
        From: "Reception" <sip:201@pbx.example.com>;tag=4f8a2c1e\r
        Call-ID: 8d1c9e0f5b2a4c7d9e3f1a6b8c0d2e4f@198.51.100.7\r
        CSeq: 102 REGISTER\r
        Expires: 3600\r
        User-Agent: \(agent)\r
        Content-Length: 0\r
        \r

        """
    return (try? SIPMessage(parsing: Array(text.utf8))) ?? SIPMessage(status: 500, reason: "x", headers: [], body: [])
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(2))

    // Each of these times one check (setup is outside the measurement).
    Benchmark("Shield pre-parse check, source banned") { benchmark in
        let engine = makeEngine()
        let banned = IPAddress("198.51.100.66")!
        _ = engine.ban(banned, rule: "bench", reason: "bench", now: 0, seconds: 1e9)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(engine.isRefused(banned, now: 1)) }
    }

    Benchmark("Shield pre-parse check, source not banned (1000 bans held)") { benchmark in
        let engine = makeEngine()
        for index in 0..<1000 { _ = engine.ban(IPAddress(ipv4: 0x0A00_0000 + UInt32(index)), rule: "b", reason: "b", now: 0, seconds: 1e9) }
        let clean = IPAddress("198.51.100.7")!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(engine.isRefused(clean, now: 1)) }
    }

    Benchmark("Shield check of a trunk's request") { benchmark in
        let engine = makeEngine()
        let request = message("Carrier SBC 1.0")
        let trunk = IPAddress("127.0.0.10")!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(engine.checkRequest(request, source: trunk, now: 1)) }
    }

    Benchmark("Shield check of an untrusted phone's REGISTER") { benchmark in
        let engine = makeEngine()
        let request = message("Yealink SIP-T54W 96.86.0.70")
        let phone = IPAddress("198.51.100.7")!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(engine.checkRequest(request, source: phone, now: 1)) }
    }

    // Memory: the same process with an empty engine, and with 100,000 sources tracked.
    Benchmark("Shield engine, no sources (memory baseline)", configuration: .init(metrics: [.peakMemoryResident], maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations {
            let engine = makeEngine()
            blackHole(engine.checkRequest(message("Yealink SIP-T54W 96.86.0.70"), source: IPAddress(ipv4: 0x0A00_0000), now: 1))
        }
    }

    Benchmark("Shield check of 100000 distinct sources (table growth)", configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations {
            let engine = makeEngine()
            let request = message("Yealink SIP-T54W 96.86.0.70")
            for index in 0..<100_000 {
                blackHole(engine.checkRequest(request, source: IPAddress(ipv4: 0x0A00_0000 + UInt32(index)), now: 1))
            }
            blackHole(engine.trackedSources)
        }
    }
}
