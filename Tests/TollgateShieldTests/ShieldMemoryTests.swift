import Foundation
import Testing
@testable import TollgateShield
import TollgateModel

@Suite("Shield memory")
struct ShieldMemoryTests {
    static func residentKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("100,000 tracked sources (each having tried a user) take well under 100 MB")
    func hundredThousandSources() throws {
        #expect(MemoryLayout<SourceState>.stride <= 160)
        let engine = try ShieldFixture.engine { $0.maxTrackedSources = 100_000 }
        let request = ShieldFixture.request("REGISTER")
        let before = Self.residentKB()
        for index in 0..<100_000 {
            _ = engine.checkRequest(request, source: IPAddress(ipv4: 0x0A00_0000 + UInt32(index)), now: 1000)
        }
        let grown = Self.residentKB() - before
        #expect(engine.trackedSources == 100_000)
        #expect(grown < 80_000, "100,000 sources grew the process by \(grown) kB")
    }
}
