import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The console as a swift-service-lifecycle `Service` in the gateway's group: a Hummingbird
/// server (HTTPS off loopback, with the configured or self-signed certificate) behind the source
/// gate, and the sweep that forgets ended sessions. It stops with the group's graceful shutdown.
public struct ConsoleService: Service {
    public let console: Console
    /// The certificate chain and key (PEM files) for HTTPS; required when the console uses TLS.
    let tls: (certificate: String, key: String)?
    /// Told the bound address once the server listens (for tests and the start-up line).
    let onListening: @Sendable (SocketAddress?) async -> Void

    public init(console: Console, certificatePath: String?, keyPath: String?,
                onListening: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }) throws(ConsoleSetupError) {
        self.console = console
        self.onListening = onListening
        if let certificatePath, let keyPath {
            tls = (certificatePath, keyPath)
        } else if console.settings.usesTLS {
            throw ConsoleSetupError("the console on \(console.settings.listen.host) needs a TLS certificate and key")
        } else {
            tls = nil
        }
    }

    /// The routes, for the role table test and the OpenAPI check.
    public static func router(for console: Console) -> (router: Router<ConsoleContext>, routes: [ConsoleRoute]) {
        let router = Router(context: ConsoleContext.self)
        router.add(middleware: CallerMiddleware(console: console))
        var table = RouteTable(router: router, console: console)
        table.addSignIn()
        table.addEnrolment()
        table.addPages()
        table.addAPI()
        table.addResources()
        table.addMethodNotAllowed()
        return (router, table.routes)
    }

    public func run() async throws {
        let console = self.console
        let (router, _) = Self.router(for: console)
        let http = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [
            SourceGate { console.admits($0) || console.admitsMetrics($0) }
        ], idleTimeout: .seconds(120)))
        let server: HTTPServerBuilder
        if let tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
                var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
                configuration.minimumTLSVersion = .tlsv12
                server = try .tls(http, tlsConfiguration: configuration)
            } catch {
                throw ConsoleSetupError("cannot read the console's certificate \(tls.certificate) or key \(tls.key): \(error)")
            }
        } else {
            server = http
        }
        let listen = console.settings.listen
        let onListening = self.onListening
        let application = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress) },
            logger: console.logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(60))
                        _ = try? await console.sessions.sweep(at: console.now())
                    }
                }
            }
            try await application.run()
        }
    }
}
