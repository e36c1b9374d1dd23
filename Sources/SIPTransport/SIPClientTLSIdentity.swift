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
    func makeContext(peer: String) throws(SIPTransportError) -> NIOSSLContext {
        var configuration = SIPClientTLSIdentity.baseConfiguration()
        do {
            if let certificatePath, let keyPath {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            }
            if let trustRootsPath {
                configuration.trustRoots = .file(trustRootsPath)
                configuration.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsSetup(listener: "client TLS to \(peer)", reason: "\(error)")
        }
    }
}
