import NIOCore
import NIOSSL

/// What Tollgate presents and trusts when it opens a TLS connection to one peer (a trunk that
/// requires client certificates, or one whose certificate a private CA signed).
public struct SIPClientTLSIdentity: Sendable, Hashable {
    /// PEM certificate chain to present, with its key; `nil` presents none.
    public var certificatePath: String?
    public var keyPath: String?
    /// PEM file of the CAs the peer's certificate must chain to; `nil` uses the system's.
    public var trustRootsPath: String?

    /// The settings every outgoing TLS connection starts from: TLS 1.2 or later.
    static func baseConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    public init(certificatePath: String? = nil, keyPath: String? = nil, trustRootsPath: String? = nil) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.trustRootsPath = trustRootsPath
    }

    /// The client context: TLS 1.2 or later, the peer's certificate verified against the trust roots
    /// (without host name checks when private roots are given: peers are addressed by IP).
    ///
    /// - Throws: ``SIPTransportError/tlsSetup(listener:reason:)`` naming the file that cannot be read.
    func makeContext(peer: String) throws(SIPTransportError) -> NIOSSLContext {
        var configuration = SIPClientTLSIdentity.baseConfiguration()
        func read<Value>(_ what: String, _ path: String, _ load: () throws -> Value) throws(SIPTransportError) -> Value {
            do { return try load() } catch { throw .tlsSetup(listener: "client TLS to \(peer)", reason: "\(what) \(path): \(error)") }
        }
        if let certificatePath, let keyPath {
            configuration.certificateChain = try read("certificate", certificatePath) {
                try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            }
            configuration.privateKey = .privateKey(try read("key", keyPath) { try NIOSSLPrivateKey(file: keyPath, format: .pem) })
        }
        if let trustRootsPath {
            configuration.trustRoots = .certificates(try read("trust roots", trustRootsPath) { try NIOSSLCertificate.fromPEMFile(trustRootsPath) })
            configuration.certificateVerification = .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsSetup(listener: "client TLS to \(peer)", reason: "\(error)")
        }
    }
}
