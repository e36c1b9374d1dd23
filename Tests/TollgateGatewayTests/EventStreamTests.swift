import Foundation
import Testing

@testable import TollgateGateway

@Suite("Event stream")
struct EventStreamTests {
    @Test("every subscriber gets every value, in order")
    func fanOut() async throws {
        let stream = EventStream<Int>(label: "test")
        let first = stream.subscribe("first")
        let second = stream.subscribe("second")
        for value in 0..<100 { stream.publish(value) }
        stream.finish()
        var seen: [Int] = []
        for await value in first { seen.append(value) }
        #expect(seen == Array(0..<100))
        #expect(second.takeBuffered() == Array(0..<100))
        #expect(first.dropped == 0 && second.dropped == 0)
    }

    @Test("a subscriber that does not keep up loses its oldest values and counts them; the others lose nothing")
    func slowSubscriberLosesOldest() {
        let stream = EventStream<Int>(label: "test")
        let slow = stream.subscribe("slow", bufferSize: 10)
        let ample = stream.subscribe("ample", bufferSize: 1000)
        for value in 0..<100 { stream.publish(value) }
        #expect(slow.takeBuffered() == Array(90..<100))
        #expect(slow.dropped == 90)
        #expect(ample.takeBuffered() == Array(0..<100))
        #expect(ample.dropped == 0)
    }

    @Test("publishing never waits: a million values to a subscriber that never reads return at once and stay bounded")
    func publishNeverBlocks() {
        let stream = EventStream<Int>(label: "test")
        let stuck = stream.subscribe("stuck", bufferSize: 100)
        for value in 0..<1_000_000 { stream.publish(value) }
        #expect(stuck.buffered == 100)
        #expect(stuck.dropped == 999_900)
    }

    @Test("a waiting reader wakes for the next value; finishing ends it after what was buffered")
    func waitingReader() async throws {
        let stream = EventStream<String>(label: "test")
        let subscription = stream.subscribe("reader")
        let reader = Task {
            var seen: [String] = []
            for await value in subscription { seen.append(value) }
            return seen
        }
        try await Task.sleep(for: .milliseconds(50))
        stream.publish("a")
        stream.publish("b")
        try await Task.sleep(for: .milliseconds(50))
        stream.publish("c")
        stream.finish()
        #expect(await reader.value == ["a", "b", "c"])
    }

    @Test("cancelling a waiting reader ends its sequence")
    func cancellation() async throws {
        let stream = EventStream<Int>(label: "test")
        let subscription = stream.subscribe("reader")
        let reader = Task { await subscription.next() }
        try await Task.sleep(for: .milliseconds(50))
        reader.cancel()
        #expect(await reader.value == nil)
    }

    @Test("a subscriber after finish ends at once; an unsubscribed one sees nothing more")
    func lateAndLeaving() async {
        let stream = EventStream<Int>(label: "test")
        let leaving = stream.subscribe("leaving")
        stream.publish(1)
        stream.unsubscribe(leaving)
        stream.publish(2)
        #expect(leaving.takeBuffered() == [1])
        #expect(stream.subscriberCount == 0)
        stream.finish()
        let late = stream.subscribe("late")
        #expect(await late.next() == nil)
    }
}

@Suite("Event stream filters")
struct EventStreamFilterTests {
    @Test("a subscriber's filter keeps out what it does not want: never buffered, never counted as lost")
    func filter() {
        let stream = EventStream<Int>(label: "test")
        let even = stream.subscribe("even", bufferSize: 3, where: { $0.isMultiple(of: 2) })
        for value in 0..<6 { stream.publish(value) }
        #expect(even.takeBuffered() == [0, 2, 4])
        #expect(even.dropped == 0)
    }
}
