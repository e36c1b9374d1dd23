import Testing

@testable import TollgateMedia
import TollgateTestSupport

@Suite("Media port pool")
struct MediaPortPoolTests {
    @Test("pairs are even RTP ports, handed out round-robin, none twice")
    func roundRobin() {
        var pool = MediaPortPool(range: 20_001...20_010)
        #expect(pool.range == 20_002...20_009)
        #expect(pool.capacity == 4)
        let ports = (0..<4).compactMap { _ in pool.allocate() }
        #expect(ports == [20_002, 20_004, 20_006, 20_008])
        #expect(pool.allocate() == nil, "exhausted")
        pool.release(20_004)
        #expect(pool.allocate() == 20_004)
        pool.release(20_002)
        pool.release(20_008)
        #expect(pool.allocate() == 20_008, "the next after the last one handed out")
        #expect(pool.allocate() == 20_002, "then round again")
    }

    @Test("whatever the order of calls and ends, every pair comes back")
    func noLeak() {
        var generator = SeededGenerator(seed: 7)
        var pool = MediaPortPool(range: 30_000...30_199)
        var held: [UInt16] = []
        for _ in 0..<10_000 {
            if Bool.random(using: &generator), let port = pool.allocate() {
                #expect(!held.contains(port))
                held.append(port)
            } else if !held.isEmpty {
                pool.release(held.remove(at: Int.random(in: 0..<held.count, using: &generator)))
            }
        }
        for port in held { pool.release(port) }
        #expect(pool.allocated == 0 && pool.available == 100)
    }
}
