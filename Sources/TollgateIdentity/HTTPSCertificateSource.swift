import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Fetches `x5u` certificates with one HTTPS `GET` per URL, and validates what comes back.
///
/// A fetch resolves the host off the event loop, refuses internal addresses the policy does not
/// list, connects to the address it checked (no second lookup to rebind), follows no redirect,
/// reads at most ``maxBytes`` and gives up after ``timeout`` — a certificate server that hangs, answers
/// 404, garbage or something huge costs a bounded time and a failure, never a stuck call.
public struct HTTPSCertificateSource: CertificateSource {
    public var anchors: IdentityTrustAnchors
    public var policy: CertificateURLPolicy
    public var tls: NIOSSLContext
    /// The longest a fetch may take, connect to last byte (calls wait far less: their budget).
    public var timeout: TimeAmount
    public var maxBytes: Int
    public var logger: Logger

    /// `tlsCA`: PEM files the certificate servers' TLS certificates must chain to; the system's
    /// roots when empty.
    public init(anchors: IdentityTrustAnchors, policy: CertificateURLPolicy, tlsCA: [String] = [], timeout: TimeAmount = .seconds(5),
                maxBytes: Int = 64 * 1024, logger: Logger = Logger(label: "tollgate.identity")) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if !tlsCA.isEmpty {
            configuration.trustRoots = .certificates(try tlsCA.flatMap { try NIOSSLCertificate.fromPEMFile($0) })
        }
        self.tls = try NIOSSLContext(configuration: configuration)
        self.anchors = anchors
        self.policy = policy
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.logger = logger
    }

    public func certificate(for url: CertificateURL, at time: Date, on eventLoop: any EventLoop)
        -> EventLoopFuture<Result<IdentityCertificate, IdentityFailure>>
    {
        let anchors = self.anchors
        return fetch(url, on: eventLoop).flatMap { fetched -> EventLoopFuture<Result<IdentityCertificate, IdentityFailure>> in
            switch fetched {
            case .failure(let failure):
                return eventLoop.makeSucceededFuture(.failure(failure))
            case .success(let bytes):
                guard let chain = IdentityTrustAnchors.certificates(served: bytes) else {
                    return eventLoop.makeSucceededFuture(.failure(.certificateUnavailable))
                }
                let promise = eventLoop.makePromise(of: Result<IdentityCertificate, IdentityFailure>.self)
                promise.completeWithTask { await anchors.validate(chain, at: time) }
                return promise.futureResult
            }
        }
    }

    /// The body `url` answers with (200 only), or why there is none.
    func fetch(_ url: CertificateURL, on eventLoop: any EventLoop) -> EventLoopFuture<Result<[UInt8], IdentityFailure>> {
        guard policy.allows(url) else { return eventLoop.makeSucceededFuture(.failure(.certificateURLNotAllowed)) }
        let body = eventLoop.makePromise(of: [UInt8].self)
        let deadline = eventLoop.scheduleTask(in: timeout) { body.fail(IdentityFailure.certificateTimeout) }
        body.futureResult.whenComplete { _ in deadline.cancel() }

        let policy = self.policy
        let resolved: EventLoopFuture<SocketAddress> = NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try SocketAddress.makeAddressResolvingHost(url.host, port: url.port)
        }
        resolved.whenComplete { result in
            guard case .success(let address) = result, let ip = address.ipAddress else {
                body.fail(IdentityFailure.certificateUnavailable)
                return
            }
            guard policy.allows(address: ip, for: url) else {
                body.fail(IdentityFailure.certificateURLNotAllowed)
                return
            }
            self.connect(to: address, url: url, body: body, on: eventLoop)
        }
        return body.futureResult.map { .success($0) }.flatMapErrorThrowing { error in
            .failure(error as? IdentityFailure ?? .certificateUnavailable)
        }
    }

    private func connect(to address: SocketAddress, url: CertificateURL, body: EventLoopPromise<[UInt8]>, on eventLoop: any EventLoop) {
        let tls = self.tls
        let maxBytes = self.maxBytes
        let serverHostname = url.hostIsAddress ? nil : url.host
        let connecting = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                do {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(CertificateResponseHandler(body: body, maxBytes: maxBytes))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(to: address)
        let logger = self.logger
        connecting.whenComplete { result in
            switch result {
            case .failure(let error):
                logger.debug("certificate server unreachable", metadata: ["x5u": "\(url)", "error": "\(error)"])
                body.fail(IdentityFailure.certificateUnavailable)
            case .success(let channel):
                body.futureResult.whenComplete { _ in channel.close(promise: nil) }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: url.port == 443 ? url.host : "\(url.host):\(url.port)")
                headers.add(name: "Accept", value: "application/pem-certificate-chain, application/pkix-cert")
                headers.add(name: "User-Agent", value: "Tollgate")
                headers.add(name: "Connection", value: "close")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.path, headers: headers)
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            }
        }
    }
}

/// Reads the one response of a certificate fetch: 200 and a body within the limit, or a failure.
final class CertificateResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let body: EventLoopPromise<[UInt8]>
    private let maxBytes: Int
    private var status: UInt = 0
    private var bytes: [UInt8] = []

    init(body: EventLoopPromise<[UInt8]>, maxBytes: Int) {
        self.body = body
        self.maxBytes = maxBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status.code
            if status >= 200, status != 200 {
                fail(context, .certificateUnavailable)
            } else if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
                fail(context, .certificateUnavailable)
            }
        case .body(let buffer):
            guard status == 200 else { return }
            guard bytes.count + buffer.readableBytes <= maxBytes else {
                fail(context, .certificateUnavailable)
                return
            }
            bytes += buffer.readableBytesView
        case .end:
            if status == 200 { body.succeed(bytes) } else if status >= 200 { fail(context, .certificateUnavailable) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        body.fail(IdentityFailure.certificateUnavailable)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, .certificateUnavailable)
    }

    private func fail(_ context: ChannelHandlerContext, _ failure: IdentityFailure) {
        body.fail(failure)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension CertificateResponseHandler: Sendable {}
