import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TollgateModel
import TollgateShield
import TollgateStore

/// Brings bans set or lifted by another process (`tollgate ban`, another node) into Shield within
/// a second: the store's ban revision is read every second and the bans in force reloaded when it changed.
struct BanSyncService: Service {
    let store: any Store
    let shield: ShieldEngine
    let loop: EventLoop
    let logger: Logger
    /// The revision the bans were restored at.
    let revision: Int64

    func run() async throws {
        let (store, shield, loop, logger, initial) = (self.store, self.shield, self.loop, self.logger, self.revision)
        await cancelWhenGracefulShutdown {
            var revision = initial
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                do {
                    let now = try await store.bansRevision()
                    guard now != revision else { continue }
                    revision = now
                    let bans = try await store.activeBans(at: Date()).compactMap(ShieldBan.init)
                    loop.execute { shield.restoreBans(bans, now: Date().timeIntervalSince1970) }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot read bans from the store", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
