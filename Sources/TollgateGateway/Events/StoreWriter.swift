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
    public init(store: any Store, subscription: EventSubscription<GatewayActivity>, logger: Logger,
                banStored: @escaping @Sendable (Ban) -> Void = { _ in },
                suspensionStored: @escaping @Sendable (AccountSuspension) -> Void = { _ in }) {
        self.store = store
        self.subscription = subscription
        self.logger = logger
        self.banStored = banStored
        self.suspensionStored = suspensionStored
    }

    /// Writes what the stream brings until it finishes, then returns.
    public func run() async {
        while let first = await subscription.next() {
            var batch = [first]
            batch += subscription.takeBuffered()
            await write(batch)
        }
    }

    private func write(_ batch: [GatewayActivity]) async {
        var events: [SecurityEvent] = []
        var sightings: [DeviceSighting] = []
        for activity in batch {
            switch activity {
            case .event(let event):
                events.append(SecurityEvent(event))
            case .ban(let ban):
                do {
                    try await store.saveBan(ban)
                    banStored(ban)
                } catch {
                    logger.error("cannot store a ban", metadata: ["source": "\(ban.source)", "error": "\(error)"])
                }
            case .suspension(let suspension):
                do {
                    try await store.saveSuspension(suspension)
                } catch {
                    logger.error("cannot store a suspension", metadata: ["account": "\(suspension.account)", "error": "\(error)"])
                }
                suspensionStored(suspension)
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
                logger.error("cannot store \(sightings.count) inventory sightings", metadata: ["error": "\(error)"])
            }
        }
        var start = 0
        while start < events.count {
            let chunk = Array(events[start..<min(start + Self.batchLimit, events.count)])
            start += chunk.count
            do {
                try await store.append(chunk)
                stored.increment(by: chunk.count)
            } catch {
                failed.increment(by: chunk.count)
                logger.error("cannot store \(chunk.count) events", metadata: ["error": "\(error)"])
            }
        }
    }
}
