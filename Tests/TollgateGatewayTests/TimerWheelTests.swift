import NIOCore
import NIOEmbedded
import Testing

@testable import TollgateGateway

@Suite("Timer wheel")
struct TimerWheelTests {
    @Test("actions fire once, in deadline order, no earlier than asked; cancelled ones never fire")
    func firing() {
        let loop = EmbeddedEventLoop()
        let wheel = TimerWheel(eventLoop: loop)
        wheel.start()
        var fired: [String] = []
        wheel.schedule(after: .milliseconds(500)) { fired.append("T1") }
        wheel.schedule(after: .milliseconds(25)) { fired.append("short") }
        let cancelled = wheel.schedule(after: .milliseconds(100)) { fired.append("cancelled") }
        wheel.schedule(after: .seconds(64)) { fired.append("beyond one turn of the wheel") }
        cancelled.cancel()
        loop.advanceTime(by: .milliseconds(20))
        #expect(fired.isEmpty)
        loop.advanceTime(by: .milliseconds(20))
        #expect(fired == ["short"])
        loop.advanceTime(by: .seconds(1))
        #expect(fired == ["short", "T1"])
        loop.advanceTime(by: .seconds(40))
        #expect(fired.count == 2, "an action 64 s out must wait for its round, not fire when its slot first comes by")
        loop.advanceTime(by: .seconds(30))
        #expect(fired == ["short", "T1", "beyond one turn of the wheel"])
        #expect(wheel.count == 0)
    }

    @Test("an action may schedule another")
    func rescheduling() {
        let loop = EmbeddedEventLoop()
        let wheel = TimerWheel(eventLoop: loop)
        wheel.start()
        var count = 0
        func again() {
            count += 1
            if count < 5 { wheel.schedule(after: .milliseconds(10), again) }
        }
        wheel.schedule(after: .milliseconds(10), again)
        loop.advanceTime(by: .seconds(1))
        #expect(count == 5)
    }
}
