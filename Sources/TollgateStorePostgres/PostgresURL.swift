import Foundation
import NIOSSL
import PostgresNIO
import TollgateStore

/// A `postgres://` (or `postgresql://`) URL, read as libpq reads one, turned into a client configuration.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=MODE&sslrootcert=FILE&password_file=FILE`
///
/// - The password is the URL's own; else the first line of `password_file`; else the environment's
///   `TOLLGATE_STORE_PASSWORD`, else `PGPASSWORD`. It is never part of ``redacted``.
/// - `sslmode`: `disable`, `prefer` (the default, as libpq: TLS when the server offers it),
///   `require` (TLS, the certificate not checked unless `sslrootcert` is given), `verify-ca` and
///   `verify-full` (TLS, the certificate checked against `sslrootcert` or the system's roots).
public struct PostgresURL: Sendable, Hashable {
    /// How the connection is encrypted.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    /// The password, from wherever it was found; `nil` for a server that asks none.
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// A PEM file of the certificate authorities the server's certificate is checked against.
    public var rootCertificate: String?

    /// The URL with no password in it, for logs and `config show`.
    public var redacted: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostText):\(port)/\(database)" + (tlsMode == .prefer ? "" : "?sslmode=\(tlsMode.rawValue)")
    }

    /// Reads `text`; `environment` is where a password not in the URL may be found.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        func invalid(_ reason: String) -> StoreError {
            .cannotOpen(path: Self.withoutPassword(text), reason: reason)
        }
        let lowered = text.lowercased()
        guard lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") else {
            throw invalid("a PostgreSQL URL starts with postgres:// or postgresql://")
        }
        guard let components = URLComponents(string: text) else { throw invalid("the URL cannot be read") }
        guard let host = components.host, !host.isEmpty else { throw invalid("the URL names no host") }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("the port \(port) is out of range") }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw invalid("the URL names no user (postgres://USER@HOST/DATABASE)")
        }
        self.user = user
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? user : path

        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { throw invalid("the parameter '\(item.name)' has no value") }
            parameters[item.name] = value
        }
        let known: Set<String> = ["sslmode", "sslrootcert", "password_file", "application_name", "connect_timeout"]
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid("the parameter '\(unknown)' is not understood (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let mode = parameters["sslmode"] {
            guard let tlsMode = TLSMode(rawValue: mode) else {
                throw invalid("sslmode '\(mode)' is none of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.tlsMode = tlsMode
        } else {
            self.tlsMode = .prefer
        }
        self.rootCertificate = parameters["sslrootcert"]

        if let password = components.percentEncodedPassword {
            self.password = password.removingPercentEncoding ?? password
        } else if let file = parameters["password_file"] {
            guard let data = FileManager.default.contents(atPath: file) else { throw invalid("the password file \(file) cannot be read") }
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw invalid("the password file \(file) is empty") }
            self.password = line
        } else {
            self.password = environment["TOLLGATE_STORE_PASSWORD"] ?? environment["PGPASSWORD"]
        }
    }

    /// The TLS settings of ``tlsMode``: `nil` for `disable`, else the client configuration and
    /// whether the server must speak TLS.
    func tlsSettings() -> (configuration: TLSConfiguration, required: Bool)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate { tls.trustRoots = .file(rootCertificate) }
        switch tlsMode {
        case .disable:
            return nil
        case .prefer:
            tls.certificateVerification = rootCertificate == nil ? .none : .fullVerification
            return (tls, false)
        case .require:
            tls.certificateVerification = rootCertificate == nil ? .none : .noHostnameVerification
            return (tls, true)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return (tls, true)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return (tls, true)
        }
    }

    /// The pool's configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch tlsSettings() {
        case nil: .disable
        case let (configuration, required)?: required ? .require(configuration) : .prefer(configuration)
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", "tollgate")]
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        return configuration
    }

    /// The configuration of a single connection (opening checks and LISTEN).
    func connectionConfiguration() throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsSettings() {
        case nil:
            tls = .disable
        case let (configuration, required)?:
            do {
                let context = try NIOSSLContext(configuration: configuration)
                tls = required ? .require(context) : .prefer(context)
            } catch {
                throw .cannotOpen(path: redacted, reason: "the TLS settings cannot be used: \(error)")
            }
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", "tollgate")]
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// `text` with anything between the user and the host removed, for an error about a URL that
    /// could not be read.
    public static func withoutPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
