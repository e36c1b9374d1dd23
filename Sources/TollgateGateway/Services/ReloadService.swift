import Logging
import NIOCore
import ServiceLifecycle
import TollgateShield
import UnixSignals

/// Reloads Shield's rules, lists and profiles and the fraud policy on SIGHUP; a file that does not
/// load is refused, reported, and the old rules stay.
struct ReloadService: Service {
    let reload: @Sendable () throws -> GatewayRules
    let proxy: SIPProxy
    let fraud: FraudControl
    let loop: EventLoop
    let logger: Logger

    func run() async throws {
        let (reload, proxy, fraud, loop, logger) = (self.reload, self.proxy, self.fraud, self.loop, self.logger)
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do {
                    let rules = try reload()
                    try await loop.submit {
                        try fraud.replace(config: rules.fraud, classifier: rules.classifier)
                        if let shield = proxy.shield, let shieldRules = rules.shield { shield.replaceRules(shieldRules) }
                        proxy.emit(.reload, address: "", rule: "sighup", detail: "Shield rules, lists and profiles and the fraud policy reloaded",
                                   severity: .info)
                    }.get()
                    logger.notice("shield rules and fraud policy reloaded")
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
