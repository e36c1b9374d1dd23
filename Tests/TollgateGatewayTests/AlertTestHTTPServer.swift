import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP/1.1 server on 127.0.0.1 for webhook tests: records every request and answers each as its
/// script says (a status, or holding the response back until released), then 200 for the rest.
final class AlertTestHTTPServer: Sendable {
    /// One request as received.
    struct Request: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// How to answer one request.
    enum Reply: Sendable {
        case status(HTTPResponseStatus)
        /// No answer until ``AlertTestHTTPServer/release()``, then 200.
        case hold
    }

    private struct State {
        var script: [Reply]
        var requests: [Request] = []
        var released = false
        var held: [@Sendable () -> Void] = []
        var connections: [any Channel] = []
        var port = 0
    }

    private let state: NIOLockedValueBox<State>
    private let serverChannel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)

    /// The port the server listens on (and listened on, once stopped).
    var port: Int { self.state.withLockedValue { $0.port } }

    private init(script: [Reply]) {
        self.state = NIOLockedValueBox(State(script: script))
    }

    /// Starts a server on 127.0.0.1 with an ephemeral port; with `tls`, it speaks HTTPS.
    static func start(script: [Reply] = [], tls: NIOSSLContext? = nil) async throws -> AlertTestHTTPServer {
        let server = AlertTestHTTPServer(script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                server.state.withLockedValue { $0.connections.append(channel) }
                do {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(RecordingHandler(server: server))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        server.serverChannel.withLockedValue { $0 = channel }
        server.state.withLockedValue { $0.port = channel.localAddress?.port ?? 0 }
        return server
    }

    /// The requests received so far.
    var requests: [Request] {
        self.state.withLockedValue { $0.requests }
    }

    /// Waits until at least `count` requests have arrived and returns them all.
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(5)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let requests = self.requests
            if requests.count >= count { return requests }
            try await Task.sleep(for: .milliseconds(5))
        }
        return self.requests
    }

    /// Answers the held requests with 200, and any later `hold` at once.
    func release() {
        let held = self.state.withLockedValue { state in
            state.released = true
            defer { state.held = [] }
            return state.held
        }
        for answer in held { answer() }
    }

    /// Closes the listener and every connection.
    func stop() async {
        let connections = self.state.withLockedValue { $0.connections }
        for connection in connections {
            try? await connection.close()
        }
        let channel = self.serverChannel.withLockedValue { $0 }
        try? await channel?.close()
    }

    /// Records the request and says how to answer it: now with a status, or later.
    fileprivate func received(_ request: Request, answerLater: @escaping @Sendable () -> Void) -> HTTPResponseStatus? {
        self.state.withLockedValue { state in
            state.requests.append(request)
            let reply = state.script.isEmpty ? .status(.ok) : state.script.removeFirst()
            switch reply {
            case .status(let status):
                return status
            case .hold:
                if state.released { return .ok }
                state.held.append(answerLater)
                return nil
            }
        }
    }

    private final class RecordingHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let server: AlertTestHTTPServer
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(server: AlertTestHTTPServer) {
            self.server = server
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body = []
            case .body(let buffer):
                self.body += buffer.readableBytesView
            case .end:
                guard let head = self.head else { return }
                let request = Request(method: head.method, uri: head.uri, headers: head.headers, body: self.body)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                let status = self.server.received(request) {
                    eventLoop.execute { Self.respond(context: bound.value, status: .ok) }
                }
                if let status {
                    Self.respond(context: context, status: status)
                }
            }
        }

        private static func respond(context: ChannelHandlerContext, status: HTTPResponseStatus) {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "0")
            headers.add(name: "Connection", value: "close")
            let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
