import Benchmark
import TollgateMedia

/// SRTP's per-packet cost on a G.711 packet (12-byte header, 160-byte payload), in place: protect
/// alone, and protect followed by unprotect (a packet index is used once, so unprotect is timed
/// together with the protect that makes its input; its own cost is the difference).
func rtpPacket() -> [UInt8] {
    [0x80, 0x00, 0x00, 0x00, 0xDE, 0xCA, 0xFB, 0xAD, 0xCA, 0xFE, 0xBA, 0xBE] + [UInt8](repeating: 0xAB, count: 160)
}

/// Runs `body` once per scaled iteration over the same buffer, its sequence number advanced each time
/// (an SRTP index is protected once).
func eachPacket(_ benchmark: Benchmark, _ body: (UnsafeMutableRawBufferPointer) -> Void) {
    var buffer = rtpPacket() + [UInt8](repeating: 0, count: SRTPContext.maximumOverhead)
    var sequence: UInt16 = 0
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        sequence &+= 1
        buffer.withUnsafeMutableBytes { bytes in
            bytes[2] = UInt8(sequence >> 8)
            bytes[3] = UInt8(sequence & 0xFF)
            body(bytes)
        }
    }
}

func benchmarkSRTP(_ profile: SRTPProtectionProfile) {
    Benchmark("SRTP protect, \(profile.sdesName), 160-byte payload") { benchmark in
        var sender = SRTPContext(key: SRTPMasterKey.random(profile: profile))
        eachPacket(benchmark) { bytes in blackHole(try? sender.protectRTP(bytes, length: 172)) }
    }

    Benchmark("SRTP protect then unprotect, \(profile.sdesName), 160-byte payload") { benchmark in
        let key = SRTPMasterKey.random(profile: profile)
        var sender = SRTPContext(key: key)
        var receiver = SRTPContext(key: key)
        eachPacket(benchmark) { bytes in
            if let length = try? sender.protectRTP(bytes, length: 172) {
                blackHole(try? receiver.unprotectRTP(bytes, length: length))
            }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(2))
    benchmarkSRTP(.aesCM128HMACSHA1_80)
    benchmarkSRTP(.aeadAES128GCM)
}
