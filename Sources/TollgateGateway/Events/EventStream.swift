import Metrics
import NIOConcurrencyHelpers
import NIOCore

/// One stream of values published once and read by any number of subscribers, none of which can
/// slow the publisher.
///
/// ``publish(_:)`` never blocks and never waits: it appends the value to each subscriber's bounded
/// buffer (a lock held for an append each) and wakes a subscriber that waits. A subscriber that
/// falls behind loses its oldest values first; each loss is counted, per subscriber, in
/// ``EventSubscription/dropped`` and in the `tollgate_stream_dropped_total` counter. Subscribers read
/// with `for await` (``EventSubscription`` is an `AsyncSequence`) or take what is buffered at once
/// with ``EventSubscription/takeBuffered()``.
public final class EventStream<Element: Sendable>: Sendable {
    private struct State {
        var subscriptions: [EventSubscription<Element>] = []
        var finished = false
    }

    private let state = NIOLockedValueBox(State())
    private let label: String

    /// - Parameter label: Names the stream in metrics (`stream` dimension).
    public init(label: String = "gateway") {
        self.label = label
    }

    /// A new subscriber that sees what is published from now on.
    ///
    /// - Parameters:
    ///   - name: Names the subscriber in metrics and logs.
    ///   - bufferSize: The most values it holds unread; beyond that the oldest go, counted.
    ///   - isIncluded: Which values it wants, decided as they are published: a value it does not
    ///     want is never buffered and never wakes it (waking a reader costs the publisher a
    ///     thread wake-up, which the message path should pay only for readers that care).
    public func subscribe(_ name: String, bufferSize: Int = 10_000,
                          where isIncluded: @escaping @Sendable (Element) -> Bool = { _ in true }) -> EventSubscription<Element> {
        let subscription = EventSubscription<Element>(name: name, capacity: max(1, bufferSize), isIncluded: isIncluded,
                                                      dropped: Counter(label: "tollgate_stream_dropped_total",
                                                                       dimensions: [("stream", label), ("subscriber", name)]))
        let finished = state.withLockedValue { state -> Bool in
            if !state.finished { state.subscriptions.append(subscription) }
            return state.finished
        }
        if finished { subscription.finish() }
        return subscription
    }

    /// Hands `element` to every subscriber; returns at once.
    public func publish(_ element: Element) {
        let subscriptions = state.withLockedValue { $0.subscriptions }
        for subscription in subscriptions { subscription.push(element) }
    }

    /// Ends every subscription: each reads what it holds, then its sequence ends.
    public func finish() {
        let subscriptions = state.withLockedValue { state -> [EventSubscription<Element>] in
            state.finished = true
            defer { state.subscriptions.removeAll() }
            return state.subscriptions
        }
        for subscription in subscriptions { subscription.finish() }
    }

    /// Stops delivering to a subscription and ends it.
    public func unsubscribe(_ subscription: EventSubscription<Element>) {
        state.withLockedValue { state in state.subscriptions.removeAll { $0 === subscription } }
        subscription.finish()
    }

    /// How many subscribers there are.
    public var subscriberCount: Int { state.withLockedValue { $0.subscriptions.count } }

    /// Each subscriber's name and how many values wait in its buffer.
    public var depths: [(subscriber: String, buffered: Int)] {
        state.withLockedValue { $0.subscriptions }.map { ($0.name, $0.buffered) }
    }
}

/// One subscriber's bounded buffer on an ``EventStream``: an `AsyncSequence` that ends when the
/// stream finishes (after what is buffered) or when the reading task is cancelled.
public final class EventSubscription<Element: Sendable>: AsyncSequence, Sendable {
    private struct State {
        var buffer = CircularBuffer<Element>(initialCapacity: 64)
        var waiter: CheckedContinuation<Element?, Never>?
        var finished = false
        var dropped = 0
    }

    /// The subscriber's name.
    public let name: String
    private let capacity: Int
    private let droppedCounter: Counter
    private let state = NIOLockedValueBox(State())

    private let isIncluded: @Sendable (Element) -> Bool

    init(name: String, capacity: Int, isIncluded: @escaping @Sendable (Element) -> Bool, dropped: Counter) {
        self.name = name
        self.capacity = capacity
        self.isIncluded = isIncluded
        self.droppedCounter = dropped
    }

    /// How many values this subscriber lost because it fell behind.
    public var dropped: Int { state.withLockedValue { $0.dropped } }

    /// How many values wait to be read.
    public var buffered: Int { state.withLockedValue { $0.buffer.count } }

    func push(_ element: Element) {
        guard isIncluded(element) else { return }
        let (waiter, lost) = state.withLockedValue { state -> (CheckedContinuation<Element?, Never>?, Bool) in
            guard !state.finished else { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.buffer.append(element)
            guard state.buffer.count > capacity else { return (nil, false) }
            state.buffer.removeFirst()
            state.dropped += 1
            return (nil, true)
        }
        waiter?.resume(returning: element)
        if lost { droppedCounter.increment() }
    }

    func finish() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Element?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything buffered now, oldest first, without waiting.
    public func takeBuffered() -> [Element] {
        state.withLockedValue { state in
            defer { state.buffer.removeAll(keepingCapacity: true) }
            return Array(state.buffer)
        }
    }

    /// The next value: at once when one is buffered, else when one is published; `nil` once the
    /// stream has finished and the buffer is empty, or the task is cancelled.
    public func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let immediate = state.withLockedValue { state -> Element?? in
                    if let first = state.buffer.popFirst() { return .some(first) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Element?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: EventSubscription<Element>
        public mutating func next() async -> Element? { await subscription.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}
