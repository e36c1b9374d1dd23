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

    /// What the store writer subscribes to: events, bans and suspensions (call records have their own path).
    public static let wants: @Sendable (GatewayActivity) -> Bool = { activity in
        if case .callEnded = activity { return false }
        return true
    }

    /// How many events one transaction takes at most.
    static let batchLimit = 1000

    /// - Parameters:
    ///   - banStored: Called once a ban is in the store (from then on the store decides about it).
    ///   - suspensionStored: Called once a suspension is in the store.
    ///   - clock: The store's clock: bans are written in its time.
    public init(store: any Store, subscription: EventSubscription<GatewayActivity>, logger: Logger,
                banStored: @escaping @Sendable (Ban) -> Void = { _ in },
                suspensionStored: @escaping @Sendable (AccountSuspension) -> Void = { _ in }, clock: StoreClock = StoreClock()) {
        self.clock = clock
        self.store = store
        self.subscription = subscription
        self.logger = logger
        self.banStored = banStored
        self.suspensionStored = suspensionStored
    }

    /// The most events kept for a store that is away; beyond it the oldest are given up, counted.
    static let owedLimit = 100_000

    /// Writes what the stream brings until it finishes, then returns. What the store refuses (it
    /// is away: a database restarting, a network cut) is kept, in order, and written again before
    /// anything newer, every 0.5 s doubling to 5 s, until the store takes it.
    public func run() async {
        var owed: [GatewayActivity] = []
        var delay = Duration.milliseconds(500)
        while true {
            var batch: [GatewayActivity]
            if owed.isEmpty {
                guard let first = await subscription.next() else { break }
                batch = [first]
            } else {
                do { try await Task.sleep(for: delay) } catch { break }
                batch = []
            }
            batch += subscription.takeBuffered()
            let failedBefore = owed.isEmpty
            owed = await write(owed + batch)
            if owed.isEmpty {
                if !failedBefore { logger.notice("the store takes events again") }
                delay = .milliseconds(500)
            } else {
                delay = min(delay * 2, .seconds(5))
                trim(&owed)
            }
        }
        // Stopping: one last try for what is still owed.
        owed = await write(owed + subscription.takeBuffered())
        if !owed.isEmpty {
            logger.error("the store did not take \(owed.count) events, bans or suspensions before the gateway stopped")
        }
    }

    /// Gives up the oldest events beyond ``owedLimit`` (bans and suspensions are always kept).
    private func trim(_ owed: inout [GatewayActivity]) {
        let events = owed.lazy.filter(\.isEvent).count
        guard events > Self.owedLimit else { return }
        var surplus = events - Self.owedLimit
        owed.removeAll { activity in
            guard surplus > 0, activity.isEvent else { return false }
            surplus -= 1
            return true
        }
        failed.increment(by: events - Self.owedLimit)
        logger.error("the store is away and \(events - Self.owedLimit) of the oldest events were given up")
    }

    /// Writes `batch` and returns what the store refused, in order.
    private func write(_ batch: [GatewayActivity]) async -> [GatewayActivity] {
        var refused: [GatewayActivity] = []
        var events: [SecurityEvent] = []
        var eventItems: [GatewayActivity] = []
        var sightings: [DeviceSighting] = []
        for activity in batch {
            switch activity {
            case .event(let event):
                events.append(SecurityEvent(event))
                eventItems.append(activity)
            case .ban(let ban):
                do {
                    try await store.saveBan(clock.toStore(ban))
                    banStored(ban)
                } catch {
                    logger.error("cannot store a ban; it is kept and written again", metadata: ["source": "\(ban.source)", "error": "\(error)"])
                    refused.append(activity)
                }
            case .suspension(let suspension):
                do {
                    try await store.saveSuspension(suspension)
                    suspensionStored(suspension)
                } catch {
                    logger.error("cannot store a suspension; it is kept and written again",
                                 metadata: ["account": "\(suspension.account)", "error": "\(error)"])
                    refused.append(activity)
                }
            case .callEnded:
                break
            case .sighting(let sighting):
                sightings.append(sighting)
            }
        }
        if !sightings.isEmpty {
            do {
                try await store.recordSightings(sightings)
            } catch {
                // Devices are seen again at their next registration: not kept.
                logger.error("cannot store \(sightings.count) inventory sightings", metadata: ["error": "\(error)"])
            }
        }
        var start = 0
        while start < events.count {
            let end = min(start + Self.batchLimit, events.count)
            do {
                try await store.append(Array(events[start..<end]))
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
