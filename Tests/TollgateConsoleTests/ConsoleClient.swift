import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An answer as a test reads it; status 0 when the console closed the connection without one.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    func headers(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }

    /// The session cookie this answer sets (`name=value`), if any.
    var setCookie: String? { headers("Set-Cookie").first.map { String($0.prefix { $0 != ";" }) } }
}

/// A small HTTP/1.1 client over a real socket, from a chosen loopback source address, with or
/// without TLS (any certificate accepted: the tests check the console, not the PKI). One request
/// per connection.
struct ConsoleClient: Sendable {
    let host: String
    let port: Int
    var from: String = "127.0.0.10"
    var tls = false

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> HTTPAnswer {
        let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: HTTPAnswer.self)
        let collector = AnswerCollector(promise: promise)
        let tls = self.tls
        let host = self.host
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: from, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        var configuration = TLSConfiguration.makeClientConfiguration()
                        configuration.certificateVerification = .none
                        let context = try NIOSSLContext(configuration: configuration)
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        let channel = try await bootstrap.connect(host: host, port: port).get()
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body { head.headers.add(name: "Content-Length", value: "\(body.utf8.count)") }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let answer = try await promise.futureResult.get()
        try? await channel.close()
        return answer
    }

    func get(_ path: String, cookie: String? = nil, headers: [(String, String)] = []) async throws -> HTTPAnswer {
        try await request(.GET, path, headers: headers + (cookie.map { [("Cookie", $0)] } ?? []))
    }

    /// A form POST as the console's own pages send it: same Origin, the session's CSRF token.
    func post(_ path: String, form: [(String, String)], cookie: String? = nil, origin: String? = nil, headers: [(String, String)] = []) async throws -> HTTPAnswer {
        let body = form.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        var all = headers + [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", origin ?? self.origin)]
        if let cookie { all.append(("Cookie", cookie)) }
        return try await request(.POST, path, headers: all, body: body)
    }

    var origin: String { "\(tls ? "https" : "http")://\(host):\(port)" }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Gathers one response; a connection closed before it completes gives status 0.
private final class AnswerCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPAnswer>
    private var answer = HTTPAnswer(status: 0, headers: [], body: "")
    private var done = false

    init(promise: EventLoopPromise<HTTPAnswer>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            answer.status = Int(head.status.code)
            answer.headers = head.headers.map { ($0.name, $0.value) }
        case .body(var buffer):
            answer.body += buffer.readString(length: buffer.readableBytes) ?? ""
        case .end:
            finish()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish()
        context.close(promise: nil)
    }

    private func finish() {
        guard !done else { return }
        done = true
        promise.succeed(answer)
    }
}
