import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import TollgateModel
import TollgateStore

/// Applies "divert now" from the store (switched by the console or `tollgate divert`) within a
/// second, and reports each switch as a `divert` event.
struct DivertSyncService: Service {
    let store: any Store
    let proxy: SIPProxy
    let loop: EventLoop
    let logger: Logger

    func run() async throws {
        let (store, proxy, loop, logger) = (self.store, self.proxy, self.loop, self.logger)
        // What was applied last, and whether anything was yet.
        let applied = NIOLockedValueBox<(state: DivertState?, first: Bool)>((nil, true))
        let apply: @Sendable () async -> Void = {
            do {
                let state = try await store.divert()
                let (previous, first) = applied.withLockedValue { $0 }
                guard first || state != previous else { return }
                applied.withLockedValue { $0 = (state, false) }
                let wasOn = previous != nil
                // At start only a divert that is on is news.
                let announce = !first || state != nil
                loop.execute {
                    proxy.divertsInbound = state != nil
                    guard announce else { return }
                    if let state {
                        proxy.events.emit(.divert, address: "", rule: "divert-now",
                                          detail: "inbound calls diverted to the fallback by \(state.actor): \(state.reason)", severity: .warning)
                    } else if wasOn {
                        proxy.events.emit(.divert, address: "", rule: "divert-now", detail: "inbound calls go to the PBX again", severity: .notice)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("cannot read divert from the store", metadata: ["error": "\(error)"])
            }
        }
        await cancelWhenGracefulShutdown {
            await apply()
            await watchStore(store, for: .divert, every: .seconds(1), apply)
        }
    }
}
