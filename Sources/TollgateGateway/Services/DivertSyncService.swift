import Foundation
import Logging
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
        await cancelWhenGracefulShutdown {
            var applied: DivertState?
            var first = true
            while !Task.isCancelled {
                do {
                    let state = try await store.divert()
                    if first || state != applied {
                        let wasOn = applied != nil
                        // At start only a divert that is on is news.
                        let announce = !first || state != nil
                        applied = state
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
                        first = false
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot read divert from the store", metadata: ["error": "\(error)"])
                }
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
            }
        }
    }
}
