import Foundation
import Logging
import NIOCore
import NIOConcurrencyHelpers
import ServiceLifecycle
import TollgateModel
import TollgateShield
import TollgateStore

/// Brings bans set or lifted by another node or process (`tollgate ban`, the console) into Shield:
/// at once when the store rings (PostgreSQL's notifications), else within a second. Only the records
/// changed since the revision last seen are read, so a node catches up on whatever it missed while
/// its doorbell was down, and a packet never waits for the store: Shield decides from memory.
struct BanSyncService: Service {
    let store: any Store
    let shield: ShieldEngine
    let loop: EventLoop
    let logger: Logger
    /// The revision the bans were restored at.
    let revision: Int64
    /// The store's clock: bans are held in this node's time.
    let clock: StoreClock

    func run() async throws {
        let (store, shield, loop, logger, clock) = (self.store, self.shield, self.loop, self.logger, self.clock)
        let seen = NIOLockedValueBox(revision)
        await cancelWhenGracefulShutdown {
            await watchStore(store, for: .bans, every: .seconds(1)) {
                do {
                    let (changed, next) = try await store.banChanges(after: seen.withLockedValue { $0 })
                    seen.withLockedValue { $0 = next }
                    guard !changed.isEmpty else { return }
                    let bans = changed.map(clock.fromStore).compactMap(ShieldBan.init)
                    loop.execute { shield.applyBanChanges(bans, now: Date().timeIntervalSince1970) }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot read bans from the store", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
