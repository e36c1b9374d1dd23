import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TollgateModel
import TollgateStore

/// Keeps the fraud control and the store in step: operators' resumes, suspensions, counter
/// resets and allowances (from `tollgate account`, another process) reach the engine within a second; the
/// accounts' counters go to the store every five seconds for `tollgate account show`, and once more
/// as the gateway stops (after the SIP service has ended every call).
struct AccountSyncService: Service {
    let store: any Store
    let fraud: FraudControl
    let loop: EventLoop
    let logger: Logger
    /// The accounts revision the suspensions were restored at, and when.
    let revision: Int64
    let started: Date

    func run() async throws {
        let (store, fraud, loop, logger, initial, started) = (self.store, self.fraud, self.loop, self.logger, self.revision, self.started)
        await cancelWhenGracefulShutdown {
            var revision = initial
            var resetsApplied = started
            var tick = 0
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                tick += 1
                do {
                    let now = try await store.accountsRevision()
                    if now != revision {
                        revision = now
                        let suspensions = try await store.activeSuspensions()
                        let resets = try await store.counterResets()
                        let allowances = try await store.allowances()
                        let after = resetsApplied
                        resetsApplied = max(resetsApplied, resets.values.max() ?? resetsApplied)
                        loop.execute {
                            fraud.sync(suspensions: suspensions, resets: resets, resetsAfter: after)
                            fraud.setAllowances(allowances)
                        }
                    }
                    if tick % 5 == 0 { try await saveSnapshots() }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot sync accounts with the store", metadata: ["error": "\(error)"])
                }
            }
        }
        do { try await saveSnapshots() } catch { logger.warning("cannot store the accounts' counters", metadata: ["error": "\(error)"]) }
    }

    private func saveSnapshots() async throws {
        let fraud = self.fraud
        let snapshots = try await loop.submit { fraud.takeChangedSnapshots(at: Date()) }.get()
        if !snapshots.isEmpty { try await store.saveAccountSnapshots(snapshots) }
    }
}
