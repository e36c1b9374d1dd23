import Foundation
import TollgateModel
import Logging
import Prometheus
import ServiceLifecycle
import SIPTransport
import TollgateConfig
import TollgateConsole
import TollgateGateway
import TollgateStore

/// Wires the console into `serve`: its certificate (the configured one, or a self-signed one made
/// on first start beside the store, whose fingerprint is logged), the store, the gateway's live
/// status and the metrics registry; and tells how to create the first user when there is none.
enum ConsoleSetup {
    /// The console's self-signed certificate beside the store (`console-cert.pem`, `console-key.pem`),
    /// made on first start for the console's address, loopback and the host name, and reused after;
    /// its SHA-256 fingerprint is logged each start, for people to compare with what the browser shows.
    static func selfSignedCertificate(for settings: ConsoleConfig, storePath: String, logger: Logger) throws
        -> (certificate: String, key: String, fingerprint: String) {
        let folder = URL(fileURLWithPath: storePath).deletingLastPathComponent().path
        let paths = (certificate: folder + "/console-cert.pem", key: folder + "/console-key.pem")
        let fingerprint: String
        if let pem = try? String(contentsOfFile: paths.certificate, encoding: .utf8), FileManager.default.fileExists(atPath: paths.key) {
            fingerprint = try SelfSignedCertificate.fingerprint(pem: pem)
        } else {
            var addresses = ["127.0.0.1", "::1"]
            if !addresses.contains(settings.listen.host) { addresses.append(settings.listen.host) }
            let made = try SelfSignedCertificate(commonName: "Tollgate console", dnsNames: ["localhost", ProcessInfo.processInfo.hostName],
                                                 ipAddresses: addresses, days: 825)
            try made.write(certificate: paths.certificate, key: paths.key)
            fingerprint = try made.fingerprint
            logger.notice("made a self-signed certificate for the console", metadata: ["certificate": "\(paths.certificate)"])
        }
        logger.notice("console certificate fingerprint (check it when your browser asks)", metadata: ["sha256": "\(fingerprint)"])
        return (paths.certificate, paths.key, fingerprint)
    }

    /// The console's service, or `nil` when no console is configured.
    static func service(config: TollgateConfig, options: ConfigOptions, store: any Store, gateway: Gateway, registry: PrometheusCollectorRegistry?,
                        logger: Logger) async throws -> (any Service)? {
        guard let settings = config.console else { return nil }
        var certificate = settings.tlsCertificate
        var key = settings.tlsKey
        if settings.usesTLS, certificate == nil {
            let made = try selfSignedCertificate(for: settings, storePath: config.store.path, logger: logger)
            certificate = made.certificate
            key = made.key
        }
        // The file it was started with can be edited from the console; a save is applied as SIGHUP applies it.
        let editor = options.filePath.map { path in
            ConfigFileEditor(path: path) { text throws(ConfigErrors) in try options.check(text: text, path: path) }
        }
        let console = try await Console(settings: settings, config: config, store: store, status: { await gateway.status() }, metrics: registry,
                                        logger: logger, editor: editor, reload: { kill(getpid(), SIGHUP) })
        if try await store.users().isEmpty {
            logger.notice("the console has no user yet: create the first with 'tollgate user add NAME --role admin' and open the link it prints")
        }
        let base = settings.baseURL
        return try ConsoleService(console: console, certificatePath: certificate, keyPath: key) { _ in
            logger.notice("console listening", metadata: ["url": "\(base)", "allow": "\(settings.allow?.map(\.description).joined(separator: ", ") ?? "loopback only")"])
        }
    }
}
