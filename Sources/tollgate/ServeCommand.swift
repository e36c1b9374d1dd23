import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TollgateConfig
import TollgateFraud
import TollgateGateway
import TollgateShield
import TollgateStore

/// `tollgate serve`: runs the gateway until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway between the internet and the PBX.",
        discussion: """
            Reads ./tollgate.yaml (or --config FILE); --pbx, --listen, --trunk, --remote-phones and --console
            override it, so Tollgate can stand in front of a PBX with one command:
              tollgate serve --pbx udp:192.0.2.20:5060 --listen udp:0.0.0.0:5060 --trunk udp:198.51.100.1:5060
            An invalid configuration is reported with line numbers and the gateway does not start.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: the file's).")
    var logLevel: String?

    func run() async throws {
        let config = try options.loadOrExit()
        let level = Logger.Level(rawValue: logLevel ?? config.logging.level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tollgate")
        // With a console, what the gateway counts is shown at /metrics; without one nothing reads it.
        let registry = config.console == nil ? nil : PrometheusCollectorRegistry()
        if let registry { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }
        let rules = try options.shieldRulesOrExit(for: config)
        let store: any Store
        do {
            store = try await openStore(config.store)
        } catch {
            printError(error.message)
            throw ExitCode(1)
        }
        let options = self.options
        let alerts: AlertFanout
        do {
            alerts = try AlertFanout.make(from: config.alerts, logger: logger)
        } catch {
            printError("alerts: \(error)")
            throw ExitCode(1)
        }
        let gateway = Gateway(
            config: config, logger: logger, store: store, shieldRules: config.shield.enabled ? rules : nil, alerts: alerts,
            reload: {
                // The same file and flags as at start; the routes and fallback, Shield's part, the fraud policy and caller identity are taken.
                let reloaded = try options.load()
                let classifier = NumberClassifier(config: reloaded.fraud.numbering, prefixes: try HighRiskPrefixes.shipped())
                return GatewayRules(shield: reloaded.shield.enabled ? try options.shieldRules(for: reloaded) : nil, fraud: reloaded.fraud,
                                    classifier: classifier, identity: reloaded.identity, trunks: reloaded.trunks,
                                    routing: (reloaded.routes, reloaded.fallback))
            })
        var services: [any Service]
        do {
            services = try await gateway.services()
            if let console = try await ConsoleSetup.service(config: config, options: options, store: store, gateway: gateway, registry: registry,
                                                           logger: logger) {
                services.append(console)
            }
        } catch {
            logger.error("gateway failed: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        do {
            try await group.run()
        } catch {
            logger.error("gateway failed: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Prints `error: message` to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}
