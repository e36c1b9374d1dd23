import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import TollgateConfig
@testable import TollgateConsole
import TollgateModel
import TollgateStore
import TollgateStoreSQLite

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let value: NIOLockedValueBox<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_796_000_000)) { value = NIOLockedValueBox(start) }

    var now: Date { value.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

/// A console on 127.0.0.1 (a free port) over an in-memory store, with a test clock and cheap bcrypt;
/// users, sessions and tokens are put straight into its store.
struct ConsoleLab: Sendable {
    let store: SQLiteStore
    let clock: TestClock
    let console: Console
    let port: Int
    let group: ServiceGroup
    let tls: Bool

    static func with<T: Sendable>(configure: (inout ConsoleConfig) -> Void = { _ in }, tls: (certificate: String, key: String)? = nil,
                                  status: @escaping @Sendable () async -> GatewayStatus? = { nil },
                                  editor: ConfigFileEditor? = nil, reload: (@Sendable () -> Void)? = nil, store given: SQLiteStore? = nil,
                                  _ body: (ConsoleLab) async throws -> T) async throws -> T {
        var settings = ConsoleConfig(listen: Endpoint(transport: .tcp, host: "127.0.0.1", port: 0))
        configure(&settings)
        if tls != nil { settings.tlsCertificate = tls?.certificate; settings.tlsKey = tls?.key }
        let store = try given ?? SQLiteStore.inMemory()
        let clock = TestClock()
        var logger = Logger(label: "console-test")
        logger.logLevel = .warning
        let console = try await Console(settings: settings, config: ConsoleLab.gatewayConfig, store: store, status: status, metrics: nil,
                                        hashing: PasswordHashing(cost: 4), logger: logger, now: { clock.now }, editor: editor, reload: reload)
        let bound = NIOLockedValueBox<Int?>(nil)
        let service = try ConsoleService(console: console, certificatePath: tls?.certificate, keyPath: tls?.key) { address in
            bound.withLockedValue { $0 = address?.port }
        }
        let group = ServiceGroup(services: [service], logger: logger)
        let task = Task { try await group.run() }
        var port: Int?
        for _ in 0..<500 where port == nil {
            try await Task.sleep(for: .milliseconds(10))
            port = bound.withLockedValue { $0 }
        }
        guard let port else {
            task.cancel()
            throw ConsoleSetupError("the test console did not start")
        }
        let lab = ConsoleLab(store: store, clock: clock, console: console, port: port, group: group, tls: tls != nil)
        do {
            let result = try await body(lab)
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
    }

    /// A minimal gateway configuration for the routes page.
    static let gatewayConfig: TollgateConfig = {
        var config = TollgateConfig()
        config.routes = [RouteRule(name: "uk", prefix: "44", trunks: ["carrier"])]
        config.trunks = [TrunkConfig(name: "carrier", endpoint: Endpoint(transport: .udp, host: "127.0.0.40", port: 5060),
                                     allowedSources: [try! AddressRange(parsing: "127.0.0.40/32")])]
        config.fallback = FallbackConfig(target: "+447700900123", trunks: ["carrier"])
        return config
    }()

    func client(from source: String = "127.0.0.10") -> ConsoleClient {
        ConsoleClient(host: "127.0.0.1", port: port, from: source, tls: tls)
    }

    static let password = "correct horse battery staple"

    /// An enrolled user; returns the TOTP secret (nil for a viewer without one).
    @discardableResult
    func addUser(_ name: String, role: ConsoleUser.Role, totp: Bool? = nil) async throws -> String? {
        let secret = (totp ?? role.needsSecondFactor) ? TOTPCheck.newSecret() : nil
        try await store.saveUser(ConsoleUser(name: name, role: role, passwordHash: try await PasswordHashing(cost: 4).hash(Self.password),
                                             totpSecret: secret, created: clock.now))
        return secret
    }

    /// A session put straight into the store; returns the `Cookie` header value and its CSRF token.
    func session(for user: String, stage: ConsoleSession.Stage = .signedIn) async throws -> (cookie: String, csrf: String) {
        let id = SecretToken.make()
        let csrf = SecretToken.make()
        try await store.saveSession(ConsoleSession(idHash: SecretToken.hash(id), user: user, stage: stage, csrfToken: csrf, created: clock.now,
                                                   lastSeen: clock.now, source: "127.0.0.10", userAgent: "test"))
        return ("\(console.cookie.name)=\(id)", csrf)
    }

    /// A bearer token put straight into the store.
    func token(for user: String, role: ConsoleUser.Role, expires: TimeInterval = 86_400) async throws -> String {
        let text = SecretToken.make()
        try await store.saveToken(APIToken(id: "tk_" + SecretToken.make(byteCount: 6), user: user, role: role, tokenHash: SecretToken.hash(text),
                                           created: clock.now, expires: clock.now.addingTimeInterval(expires)))
        return text
    }

    /// The current code for a secret at the lab's clock.
    func code(_ secret: String, offset: Int64 = 0) -> String {
        TOTPCheck(secret: secret).code(step: TOTPCheck.step(at: clock.now) + offset)
    }
}
