import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTP/1.1 client for webhooks: one `POST` per connection (`Connection: close`), over TCP or
/// TLS, with a connect timeout and a response timeout. Cancelling the calling task closes the
/// connection at once.
struct WebhookHTTPClient: Sendable {
    let url: WebhookURL
    /// Sent with every request, `Host`, `Content-Type`, `Connection` and `User-Agent` included;
    /// `Content-Length` is added per request.
    let headers: HTTPHeaders
    let sslContext: NIOSSLContext?
    let eventLoopGroup: any EventLoopGroup
    let connectTimeout: TimeAmount
    let responseTimeout: TimeAmount

    /// The channel of the request under way, so that cancellation can close it.
    private enum ChannelSlot {
        case connecting
        case open(any Channel)
        case cancelled
    }

    /// Posts `body` and returns the response head once the response has been read.
    func post(_ body: ByteBuffer) async throws -> HTTPResponseHead {
        let eventLoop = self.eventLoopGroup.next()
        let response = eventLoop.makePromise(of: HTTPResponseHead.self)
        let slot = NIOLockedValueBox(ChannelSlot.connecting)
        return try await withTaskCancellationHandler {
            // Every path completes the promise; completing it again does nothing.
            defer { response.fail(CancellationError()) }
            let channel = try await self.connect(on: eventLoop, response: response, slot: slot)
            defer { channel.close(promise: nil) }

            let timeout = self.responseTimeout
            let timer = eventLoop.scheduleTask(in: timeout) {
                response.fail(WebhookDeliveryError.responseTimeout(timeout))
            }
            defer { timer.cancel() }

            var headers = self.headers
            headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: self.url.requestTarget, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            do {
                return try await response.futureResult.get()
            } catch {
                try Task.checkCancellation()
                throw error
            }
        } onCancel: {
            let channel = slot.withLockedValue { slot -> (any Channel)? in
                defer { slot = .cancelled }
                if case .open(let channel) = slot { return channel }
                return nil
            }
            channel?.close(promise: nil)
            response.fail(CancellationError())
        }
    }

    private func connect(
        on eventLoop: any EventLoop,
        response: EventLoopPromise<HTTPResponseHead>,
        slot: NIOLockedValueBox<ChannelSlot>
    ) async throws -> any Channel {
        let sslContext = self.sslContext
        // SNI carries names only; for an address literal NIOSSL checks the certificate against the
        // peer's IP address instead.
        let serverHostname = self.url.hostIsIPAddress ? nil : self.url.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(self.connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                let cancelled = slot.withLockedValue { slot -> Bool in
                    if case .cancelled = slot { return true }
                    slot = .open(channel)
                    return false
                }
                if cancelled {
                    return channel.eventLoop.makeFailedFuture(CancellationError())
                }
                do {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(WebhookResponseHandler(response: response))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            return try await bootstrap.connect(host: self.url.host, port: self.url.port).get()
        } catch {
            try Task.checkCancellation()
            throw WebhookDeliveryError.connectFailed(error)
        }
    }
}
