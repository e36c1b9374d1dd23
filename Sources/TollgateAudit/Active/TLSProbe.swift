import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import X509

/// One TLS handshake with a host, to see what it offers: the version agreed, the certificate it
/// shows, whether that chains to the system's roots, and whether it still agrees to TLS 1.0/1.1.
enum TLSProbe {
    struct Result: Sendable {
        var version: String?
        var notAfter: Date?
        var subject: String?
        var trusted: Bool
        var acceptsOldVersions: Bool
        /// Whether a TLS 1.2 handshake offering only ciphers without forward secrecy or with 3DES succeeds.
        var acceptsWeakCiphers: Bool
    }

    /// Nil when nothing accepts a TCP connection or a handshake at `host:port`.
    static func probe(host: String, port: Int, timeout: TimeAmount) async -> Result? {
        guard let first = await handshake(host: host, port: port, verify: false, maximum: nil, timeout: timeout) else { return nil }
        let trusted = await handshake(host: host, port: port, verify: true, maximum: nil, timeout: timeout) != nil
        let old = await handshake(host: host, port: port, verify: false, maximum: .tlsv11, timeout: timeout) != nil
        let weak = await handshake(host: host, port: port, verify: false, maximum: .tlsv12, timeout: timeout,
                                   ciphers: "AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:DES-CBC3-SHA") != nil
        return Result(version: first.version, notAfter: first.notAfter, subject: first.subject, trusted: trusted, acceptsOldVersions: old,
                      acceptsWeakCiphers: weak)
    }

    private struct Handshake: Sendable {
        var version: String?
        var notAfter: Date?
        var subject: String?
    }

    private static func handshake(host: String, port: Int, verify: Bool, maximum: TLSVersion?, timeout: TimeAmount,
                                  ciphers: String? = nil) async -> Handshake? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ciphers { configuration.cipherSuites = ciphers }
        configuration.certificateVerification = verify ? .fullVerification : .none
        if let maximum {
            configuration.minimumTLSVersion = .tlsv1
            configuration.maximumTLSVersion = maximum
        }
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: Void.self)
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(done: done))
                    }
                }
                .connect(host: host, port: port).get()
            let deadline = channel.eventLoop.scheduleTask(in: timeout) { done.fail(ChannelError.connectTimeout(timeout)) }
            defer {
                deadline.cancel()
                channel.close(promise: nil)
            }
            try await done.futureResult.get()
            let version: TLSVersion? = (try? await channel.nioSSL_tlsVersion().get()) ?? nil
            let certificate: NIOSSLCertificate? = (try? await channel.nioSSL_peerCertificate().get()) ?? nil
            return Handshake(version: version.map { Self.name("\($0)") },
                             notAfter: certificate.map { Date(timeIntervalSince1970: TimeInterval($0.notValidAfter)) },
                             subject: certificate.flatMap { $0.subjectName() })
        } catch {
            done.fail(error)
            return nil
        }
    }

    static func name(_ version: String) -> String {
        switch version {
        case "tlsv1": "TLS 1.0"
        case "tlsv11": "TLS 1.1"
        case "tlsv12": "TLS 1.2"
        case "tlsv13": "TLS 1.3"
        default: version
        }
    }

    private final class HandshakeWatcher: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<Void>

        init(done: EventLoopPromise<Void>) { self.done = done }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { done.succeed() }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.fail(ChannelError.ioOnClosedChannel)
        }
    }
}

extension NIOSSLCertificate {
    /// The subject, as text.
    func subjectName() -> String? {
        guard let bytes = try? toDERBytes(), let certificate = try? Certificate(derEncoded: bytes) else { return nil }
        return "\(certificate.subject)"
    }
}
