import Foundation

/// Feeds CDR rows to a ``FraudPolicy`` in true time order.
///
/// CDR files are written as calls end, so rows come ordered by end time, not by start. Rows wait
/// in a bounded reorder buffer (a min-heap by start) and are released once the newest end time
/// seen has passed their start by the ``horizon``: a call lasting less than the horizon cannot
/// start earlier than a released one. Answers and ends wait in a second min-heap and are given to
/// the policy before any later start. Memory holds only the rows of one horizon and the calls in
/// progress, whatever the file's size.
///
/// Each call is known to the policy by the Call-ID `L<line>`, unique within the file.
public struct CDRReplay<Policy: FraudPolicy> {
    /// What the replay tells its caller.
    public enum Outcome {
        /// A call was started: the policy's decision (its classification and alarms).
        case began(CDRRow, FraudDecision)
        /// A call ended: the alarms its end raised (often none), and the E.164 number it reached when
        /// it was answered (the policy's classification at its start).
        case ended(CDRRow, [FraudAlarm], answeredDestination: String?)
    }

    public private(set) var policy: Policy
    /// How far a row's start may lag behind the newest end seen before the row is released.
    public let horizon: TimeInterval
    /// Rows that arrived after a row starting later had already been released (longer than the
    /// horizon); they are replayed at once, slightly out of order.
    public private(set) var lateRows = 0
    /// The most rows the reorder buffer held at once.
    public private(set) var peakBuffered = 0

    /// Rows waiting or in progress, by slot; freed slots are reused.
    private var slots: [CDRRow?] = []
    /// Beside each slot: the E.164 number of its answered call.
    private var destinations: [String?] = []
    private var freeSlots: [Int] = []

    private var waiting = MinHeap<ReplayWaiting>()
    private var events = MinHeap<ReplayEvent>()
    private var sequence = 0
    private var newestEnd = Date.distantPast
    private var lastReleased = Date.distantPast
    private var lastExpiry = Date.distantPast
    /// How often (in replayed time) the policy is told to expire stale calls and idle accounts.
    private let expiryInterval: TimeInterval = 3600

    /// - Parameters:
    ///   - policy: What the calls are replayed to.
    ///   - horizon: How long a row may wait for earlier-starting rows (default 4 hours: a call
    ///     longer than that, written late, is replayed slightly out of order and counted in ``lateRows``).
    public init(policy: Policy, horizon: TimeInterval = 4 * 3600) {
        self.policy = policy
        self.horizon = horizon
    }

    /// The Call-ID the policy knows a row's call by.
    public static func callID(of row: CDRRow) -> String { "L\(row.line)" }

    /// Adds a row; calls whose turn has come are replayed and reported to `handle`.
    public mutating func add(_ row: CDRRow, _ handle: (Outcome) -> Void) {
        if row.record.start < lastReleased { lateRows += 1 }
        waiting.insert(ReplayWaiting(start: row.record.start.timeIntervalSince1970, sequence: sequence, slot: store(row)))
        sequence += 1
        peakBuffered = max(peakBuffered, waiting.count)
        if row.record.end > newestEnd { newestEnd = row.record.end }
        let releaseBefore = newestEnd.timeIntervalSince1970 - horizon
        while let first = waiting.min, first.start <= releaseBefore {
            _ = waiting.popMin()
            release(first.slot, handle)
        }
    }

    /// Replays every row still waiting and every answer and end still due.
    public mutating func finish(_ handle: (Outcome) -> Void) {
        while let first = waiting.popMin() {
            release(first.slot, handle)
        }
        drainEvents(through: .infinity, handle)
    }

    private mutating func store(_ row: CDRRow) -> Int {
        if let slot = freeSlots.popLast() {
            slots[slot] = row
            return slot
        }
        slots.append(row)
        destinations.append(nil)
        return slots.count - 1
    }

    private mutating func free(_ slot: Int) {
        slots[slot] = nil
        freeSlots.append(slot)
    }

    private mutating func release(_ slot: Int, _ handle: (Outcome) -> Void) {
        let row = slots[slot]!
        let record = row.record
        if record.start > lastReleased { lastReleased = record.start }
        drainEvents(through: record.start.timeIntervalSince1970, handle)
        if record.start.timeIntervalSince(lastExpiry) >= expiryInterval {
            if lastExpiry != .distantPast { _ = policy.expire(at: record.start) }
            lastExpiry = record.start
        }
        let callID = Self.callID(of: row)
        let decision = policy.begin(CallAttempt(callID: callID, account: record.account, dialled: record.to, source: record.source,
                                                time: record.start))
        handle(.began(row, decision))
        guard decision.allowed else {
            free(slot)
            return
        }
        if let answer = record.answer {
            destinations[slot] = decision.classification?.e164
            events.insert(ReplayEvent(time: answer.timeIntervalSince1970, kind: 0, sequence: sequence, slot: slot))
        }
        events.insert(ReplayEvent(time: record.end.timeIntervalSince1970, kind: 1, sequence: sequence, slot: slot))
        sequence += 1
    }

    private mutating func drainEvents(through time: Double, _ handle: (Outcome) -> Void) {
        while let first = events.min, first.time <= time {
            _ = events.popMin()
            if first.kind == 0 {
                // Read in place: the row stays for its end.
                guard let line = slots[first.slot]?.line, let answer = slots[first.slot]?.record.answer else { continue }
                policy.answer(callID: "L\(line)", at: answer)
            } else {
                // The row's last use: moved out of its slot, not copied.
                guard let row = slots[first.slot].take() else { continue }
                freeSlots.append(first.slot)
                let destination = destinations[first.slot].take()
                handle(.ended(row, policy.end(callID: Self.callID(of: row), at: row.record.end), answeredDestination: destination))
            }
        }
    }
}

/// A row waiting in ``CDRReplay``'s reorder buffer. Heap entries are small and trivially copied
/// (and outside the generic replay, so the heaps are specialised); the rows stay in the replay's slots.
struct ReplayWaiting: Comparable, Sendable {
    var start: Double
    var sequence: Int
    var slot: Int
    static func < (lhs: ReplayWaiting, rhs: ReplayWaiting) -> Bool { lhs.start < rhs.start || (lhs.start == rhs.start && lhs.sequence < rhs.sequence) }
}

/// An answer or end waiting in ``CDRReplay``.
struct ReplayEvent: Comparable, Sendable {
    var time: Double
    /// 0 answer, 1 end: a call's answer goes before its end at the same time.
    var kind: Int
    var sequence: Int
    var slot: Int
    static func < (lhs: ReplayEvent, rhs: ReplayEvent) -> Bool {
        if lhs.time != rhs.time { return lhs.time < rhs.time }
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        return lhs.sequence < rhs.sequence
    }
}
