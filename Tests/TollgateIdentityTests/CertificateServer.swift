import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import X509

/// A loopback HTTPS server standing in for a carrier's certificate repository, answering each `GET`
/// the way its mode says: the chain, 404, garbage, something huge, or nothing at all (it hangs).
final class CertificateServer: Sendable {
    enum Mode: Sendable {
        case serve(String)
        case notFound
        case garbage
        case huge
        case hang
        case slow(TimeAmount, String)
    }

    let channel: any Channel
    let tlsAuthorityPEM: String
    let requests: NIOLockedValueBox<Int>

    var port: Int { channel.localAddress?.port ?? 0 }

    init(host: String, mode: Mode, group: any EventLoopGroup) throws {
        let now = Date()
        let authorityKey = P256.Signing.PrivateKey()
        let authorityName = try DistinguishedName { CommonName("Certificate server test CA") }
        let authority = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(authorityKey.publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
            issuer: authorityName, subject: authorityName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(authorityKey))
        let serverKey = P256.Signing.PrivateKey()
        let address = host.split(separator: ".").compactMap { UInt8($0) }
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
            issuer: authorityName, subject: try DistinguishedName { CommonName(host) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address)))])
            },
            issuerPrivateKey: .init(authorityKey))
        tlsAuthorityPEM = try authority.serializeAsPEM().pemString
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(server.serializeAsPEM().pemString.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.pemRepresentation.utf8), format: .pem)))
        let context = try NIOSSLContext(configuration: configuration)
        let requests = NIOLockedValueBox(0)
        self.requests = requests
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLServerHandler(context: context))
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(Responder(mode: mode, requests: requests))
                }
            }
            .bind(host: host, port: 0).wait()
    }

    func close() {
        try? channel.close().wait()
    }

    final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let mode: Mode
        let requests: NIOLockedValueBox<Int>

        init(mode: Mode, requests: NIOLockedValueBox<Int>) {
            self.mode = mode
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            requests.withLockedValue { $0 += 1 }
            switch mode {
            case .serve(let pem): respond(context, status: .ok, body: Array(pem.utf8))
            case .notFound: respond(context, status: .notFound, body: Array("no such certificate".utf8))
            case .garbage: respond(context, status: .ok, body: (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            case .huge: respond(context, status: .ok, body: [UInt8](repeating: 0x41, count: 2 * 1024 * 1024), declareLength: false)
            case .hang: break
            case .slow(let delay, let pem):
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) {
                    let (responder, context) = loopBound.value
                    responder.respond(context, status: .ok, body: Array(pem.utf8))
                }
            }
        }

        func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8], declareLength: Bool = true) {
            var headers = HTTPHeaders()
            if declareLength { headers.add(name: "Content-Length", value: "\(body.count)") }
            headers.add(name: "Content-Type", value: "application/pem-certificate-chain")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

