import Foundation
import Logging
import Metrics
import TollgateModel
import TollgateStore

/// The event stream's subscriber that keeps what must outlive the process: security events, bans
/// and account suspensions go to the store in batches (one transaction for the events that queued
/// up meanwhile). The stream's bounded buffer keeps a flood from ever holding the message path: a
/// store that falls behind loses the oldest entries, counted by the stream. Call records are not
/// written here: the CDR writer has its own durable path.
public final class StoreWriter: Sendable {
    private let store: any Store
    private let subscription: EventSubscription<GatewayActivity>
    private let logger: Logger
    private let banStored: @Sendable (Ban) -> Void
    private let suspensionStored: @Sendable (AccountSuspension) -> Void
    private let clock: StoreClock
    private let stored = Counter(label: "tollgate_events_stored_total")
    private let failed = Counter(label: "tollgate_events_store_failures_total")
    private let journalFailures = Counter(label: "tollgate_store_journal_failures_total")
    private let journal: StoreWriteJournal?

    /// What the store writer subscribes to: events, bans and suspensions (call records have their own path).
    public static let wants: @Sendable (GatewayActivity) -> Bool = { activity in
        if case .callEnded = activity { return false }
        return true
    }

    /// How many events one transaction takes at most.
    static let batchLimit = 1000

    /// How long a write may wait for the store's answer before it counts as refused (kept and
    /// journaled; written again later, which the events' keys make harmless).
    static let answerLimit: Duration = .seconds(5)

    /// - Parameters:
    ///   - banStored: Called once a ban is in the store (from then on the store decides about it).
    ///   - suspensionStored: Called once a suspension is in the store.
    ///   - clock: The store's clock: bans are written in its time.
    ///   - journal: The file that keeps what the store refused across a stop (`nil`: memory only).
    public init(store: any Store, subscription: EventSubscription<GatewayActivity>, logger: Logger,
                banStored: @escaping @Sendable (Ban) -> Void = { _ in },
                suspensionStored: @escaping @Sendable (AccountSuspension) -> Void = { _ in }, clock: StoreClock = StoreClock(),
                journal: String? = nil) {
        self.journal = journal.map(StoreWriteJournal.init(path:))
        self.clock = clock
        self.store = store
        self.subscription = subscription
        self.logger = logger
        self.banStored = banStored
        self.suspensionStored = suspensionStored
    }

    /// The most events kept for a store that is away; beyond it the oldest are given up, counted.
    static let owedLimit = 100_000

    /// Writes what the stream brings until it finishes, then returns.
    ///
    /// What the store refuses (it is away: a database restarting, a network cut) is kept, in order,
    /// in memory and in the journal, and written again before anything newer, every 0.5 s doubling
    /// to 5 s, until the store takes it. What an earlier run left in the journal is written first.
    public func run() async {
        var owed = recoverJournal()
        var delay = Duration.milliseconds(500)
        var retryAt: ContinuousClock.Instant? = owed.isEmpty ? nil : .now
        while true {
            var activities: [GatewayActivity]
            if let due = retryAt {
                do { try await Task.sleep(until: due) } catch { break }
                activities = []
            } else {
                guard let first = await subscription.next() else { break }
                activities = [first]
            }
            activities += subscription.takeBuffered()
            let (fresh, sightings) = Self.writes(of: activities)
            let wasOwing = !owed.isEmpty
            owed = await settle(owed, fresh: fresh, sightings: sightings)
            if owed.isEmpty {
                if wasOwing { logger.notice("the store takes events again") }
                delay = .milliseconds(500)
                retryAt = nil
            } else {
                retryAt = .now + delay
                delay = min(delay * 2, .seconds(5))
            }
        }
        // Stopping: one last try for what is still owed.
        let (fresh, sightings) = Self.writes(of: subscription.takeBuffered())
        owed = await settle(owed, fresh: fresh, sightings: sightings)
        if !owed.isEmpty {
            if journal != nil {
                logger.warning("the store did not take \(owed.count) events, bans or suspensions before the gateway stopped; they are in the journal for the next start")
            } else {
                logger.error("the store did not take \(owed.count) events, bans or suspensions before the gateway stopped")
            }
        }
    }

    /// An owed write and whether the journal holds it.
    private typealias Owed = (write: StoreWrite, journaled: Bool)

    /// What an earlier run left in the journal, to be written before anything new.
    private func recoverJournal() -> [Owed] {
        guard let journal else { return [] }
        let (writes, unreadable) = journal.recover()
        if unreadable > 0 {
            logger.warning("journal lines of unstored events that cannot be read were skipped (a write cut short)",
                           metadata: ["count": "\(unreadable)"])
        }
        if !writes.isEmpty {
            logger.notice("events, bans and suspensions an earlier run could not store are written now", metadata: ["count": "\(writes.count)"])
        }
        return writes.map { ($0, true) }
    }

    /// The stream's activities as writes (each event given its key here, once) and sightings.
    private static func writes(of activities: [GatewayActivity]) -> (writes: [StoreWrite], sightings: [DeviceSighting]) {
        var writes: [StoreWrite] = []
        var sightings: [DeviceSighting] = []
        for activity in activities {
            switch activity {
            case .event(let event): writes.append(.event(SecurityEvent(event)))
            case .ban(let ban): writes.append(.ban(ban))
            case .suspension(let suspension): writes.append(.suspension(suspension))
            case .sighting(let sighting): sightings.append(sighting)
            case .callEnded: break
            }
        }
        return (writes, sightings)
    }

    /// Writes what is owed and then `fresh`; returns what is still owed, with the journal made to
    /// hold exactly that.
    private func settle(_ owed: [Owed], fresh: [StoreWrite], sightings: [DeviceSighting]) async -> [Owed] {
        var owed = owed
        var fresh: [Owed] = fresh.map { ($0, false) }
        if let journal, !owed.isEmpty, !fresh.isEmpty {
            // The store is away already: what is new goes to the journal before the next try.
            do {
                try journal.append(fresh.map(\.write))
                owed += fresh.map { ($0.write, true) }
                fresh = []
            } catch {
                journalFailures.increment()
                logger.error("cannot journal what the store refused; it is kept in memory only", metadata: ["error": "\(error)"])
            }
        }
        let pending = owed + fresh
        guard !pending.isEmpty || !sightings.isEmpty else { return [] }
        let journaled = pending.lazy.filter(\.journaled).count
        var refused = await write(pending, sightings: sightings)
        let trimmed = trim(&refused)
        guard let journal else { return refused }
        do {
            if refused.isEmpty {
                if journaled > 0 { journal.remove() }
            } else if !trimmed, refused.lazy.filter(\.journaled).count == journaled {
                // Nothing the journal held was stored: the newly refused go at its end.
                try journal.append(refused.filter { !$0.journaled }.map(\.write))
            } else {
                try journal.replace(with: refused.map(\.write))
            }
            return refused.map { ($0.write, true) }
        } catch {
            journalFailures.increment()
            logger.error("cannot journal what the store refused; it is kept in memory only", metadata: ["error": "\(error)"])
            return refused
        }
    }

    /// Gives up the oldest events beyond ``owedLimit`` (bans and suspensions are always kept);
    /// whether any was given up.
    private func trim(_ owed: inout [Owed]) -> Bool {
        let events = owed.lazy.filter(\.write.isEvent).count
        guard events > Self.owedLimit else { return false }
        var surplus = events - Self.owedLimit
        owed.removeAll { item in
            guard surplus > 0, item.write.isEvent else { return false }
            surplus -= 1
            return true
        }
        failed.increment(by: events - Self.owedLimit)
        logger.error("the store is away and \(events - Self.owedLimit) of the oldest events were given up")
        return true
    }

    /// Writes `pending` and `sightings`; returns what the store refused, in order. After the first
    /// refusal the store counts as away: the rest is refused without waiting for it again.
    private func write(_ pending: [Owed], sightings: [DeviceSighting]) async -> [Owed] {
        var refused: [Owed] = []
        var events: [SecurityEvent] = []
        var eventItems: [Owed] = []
        for item in pending {
            if !refused.isEmpty {
                refused.append(item)
                continue
            }
            switch item.write {
            case .event(let event):
                events.append(event)
                eventItems.append(item)
            case .ban(let ban):
                do {
                    let stored = clock.toStore(ban)
                    try await withStoreDeadline(Self.answerLimit) { [store] in try await store.saveBan(stored) }
                    banStored(ban)
                } catch {
                    logger.error("cannot store a ban; it is kept and written again", metadata: ["source": "\(ban.source)", "error": "\(error)"])
                    refused.append(item)
                }
            case .suspension(let suspension):
                do {
                    try await withStoreDeadline(Self.answerLimit) { [store] in try await store.saveSuspension(suspension) }
                    suspensionStored(suspension)
                } catch {
                    logger.error("cannot store a suspension; it is kept and written again",
                                 metadata: ["account": "\(suspension.account)", "error": "\(error)"])
                    refused.append(item)
                }
            }
        }
        if !sightings.isEmpty, refused.isEmpty {
            do {
                try await withStoreDeadline(Self.answerLimit) { [store] in try await store.recordSightings(sightings) }
            } catch {
                // Devices are seen again at their next registration: not kept.
                logger.error("cannot store \(sightings.count) inventory sightings", metadata: ["error": "\(error)"])
            }
        }
        // The events met before a refusal were not tried: they come first among the refused.
        guard refused.isEmpty else { return eventItems + refused }
        var start = 0
        while start < events.count {
            let end = min(start + Self.batchLimit, events.count)
            do {
                let slice = Array(events[start..<end])
                try await withStoreDeadline(Self.answerLimit) { [store] in try await store.append(slice) }
                stored.increment(by: end - start)
            } catch {
                logger.error("cannot store \(events.count - start) events; they are kept and written again", metadata: ["error": "\(error)"])
                refused += eventItems[start...]
                break
            }
            start = end
        }
        return refused
    }
}
