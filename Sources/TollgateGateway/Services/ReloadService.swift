import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TollgateShield
import TollgateStore
import UnixSignals

/// Reloads the routes and the fallback, Shield's rules, lists and profiles, the fraud policy and caller identity on SIGHUP; a
/// file that does not load (or trust anchors or certificates that are refused) is refused, reported,
/// and the old rules stay.
struct ReloadService: Service {
    let reload: @Sendable () throws -> GatewayRules
    let proxy: SIPProxy
    let fraud: FraudControl
    let identity: IdentityCallHook
    let loop: EventLoop
    let logger: Logger
    /// Where a detector that a reload turned on learns each account's normal from.
    var store: (any Store)?

    func run() async throws {
        let (reload, proxy, fraud, identity, loop, logger, store) =
            (self.reload, self.proxy, self.fraud, self.identity, self.loop, self.logger, self.store)
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do {
                    let rules = try reload()
                    let identitySetup = try await IdentitySetup.resolve(rules.identity, trunks: rules.trunks, logger: logger)
                    try await loop.submit {
                        if let routing = rules.routing { try proxy.replaceRouting(routes: routing.routes, fallback: routing.fallback) }
                        try fraud.replace(config: rules.fraud, classifier: rules.classifier)
                        if let shield = proxy.shield, let shieldRules = rules.shield { shield.replaceRules(shieldRules) }
                        identity.replace(identitySetup?.makeRules(on: loop, logger: logger))
                        proxy.emit(.reload, address: "", rule: "sighup",
                                   detail: "routes, Shield rules, lists and profiles, the fraud policy and caller identity reloaded", severity: .info)
                    }.get()
                    logger.notice("routes, shield rules, fraud policy and caller identity reloaded")
                    // Anomalies just turned on: each account's normal comes from the store, as at start-up.
                    let (needsHistory, days) = try await loop.submit { (fraud.needsHistory, fraud.historyDays) }.get()
                    if needsHistory, let store {
                        do {
                            let history = try await store.cdrs(CDRQuery(since: Date().addingTimeInterval(-Double(days) * 86_400),
                                                                        limit: Gateway.historyCallLimit, order: .newestFirst))
                            let allowances = try await store.allowances()
                            try await loop.submit {
                                fraud.learn(history: history)
                                fraud.setAllowances(allowances)
                            }.get()
                            logger.info("each account's normal learned from the store's calls", metadata: ["calls": "\(history.count)"])
                        } catch {
                            logger.error("cannot read the store's calls; each account's normal is learned from new calls only",
                                         metadata: ["error": "\(error)"])
                        }
                    }
                } catch {
                    let reason = "\(error)"
                    loop.execute {
                        proxy.emit(.reload, address: "", rule: "sighup", detail: "reload refused, the old rules stay: \(reason)", severity: .warning)
                    }
                    logger.error("reload refused; the old rules stay", metadata: ["error": "\(reason)"])
                }
            }
        }
    }
}
