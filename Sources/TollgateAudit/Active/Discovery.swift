import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
import TollgateModel

/// `tollgate audit discover`: an OPTIONS sweep of the addresses and ranges the operator owns, on the
/// ports and transport given, rate-limited. Each host that answers is identified from its
/// Server/User-Agent (``DeviceFingerprints``) and can be merged into the inventory.
public struct Discovery: Sendable {
    public enum Transport: String, Sendable, CaseIterable, Codable {
        case udp, tcp, tls
    }

    /// A host that answered.
    public struct Found: Sendable, Codable, Hashable {
        public var address: String
        public var port: Int
        public var transport: Transport
        public var status: Int
        public var server: String?
        public var allow: String?
        public var identity: DeviceIdentity?
    }

    /// Why targets cannot be swept.
    public struct TargetError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The most addresses one sweep covers (a /16).
    public static let maxAddresses = 65_536

    public var targets: [IPAddress]
    public var ports: [Int]
    public var transport: Transport
    public var requestsPerSecond: Double
    public var timeout: TimeAmount
    public var source: String?

    /// Reads addresses and CIDR ranges (`192.0.2.10`, `192.0.2.0/24`, `2001:db8::/120`).
    public static func expand(_ texts: [String]) throws(TargetError) -> [IPAddress] {
        var addresses: [IPAddress] = []
        for text in texts {
            if let single = IPAddress(text) {
                addresses.append(single)
                continue
            }
            guard let range = try? AddressRange(parsing: text) else {
                throw TargetError(description: "'\(text)' is neither an address nor a CIDR range (names are not swept: they may resolve elsewhere)")
            }
            let hostBits = range.network.bitWidth - range.prefixLength
            guard hostBits <= 16 else { throw TargetError(description: "\(text) holds more than \(maxAddresses) addresses; sweep a /16 or less at a time") }
            let count = 1 << hostBits
            guard addresses.count + count <= maxAddresses else { throw TargetError(description: "more than \(maxAddresses) addresses in all") }
            for offset in 0..<count {
                let low = range.network.low &+ UInt64(offset)
                let address = IPAddress(high: range.network.high, low: low)
                // The network and broadcast addresses of an IPv4 range wider than /31 answer nothing.
                if range.isIPv4, hostBits >= 2, offset == 0 || offset == count - 1 { continue }
                addresses.append(address)
            }
        }
        return addresses
    }

    public init(targets: [IPAddress], ports: [Int] = [5060], transport: Transport = .udp, requestsPerSecond: Double = 20,
                timeout: TimeAmount = .seconds(2), source: String? = nil) {
        self.targets = targets
        self.ports = ports
        self.transport = transport
        self.requestsPerSecond = requestsPerSecond
        self.timeout = timeout
        self.source = source
    }

    /// Sweeps every target on every port; `progress` is told how many were asked so far.
    public func run(fingerprints: DeviceFingerprints?, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> [Found] {
        let total = targets.count * ports.count
        var found: [Found] = []
        switch transport {
        case .udp:
            found = try await udpSweep(total: total, progress: progress)
        case .tcp, .tls:
            let limiter = RateLimiter(perSecond: requestsPerSecond)
            var asked = 0
            for address in targets {
                for port in ports {
                    await limiter.wait()
                    if let response = await StreamOptions.ask(host: address.description, port: port, tls: transport == .tls, timeout: timeout) {
                        found.append(Self.found(response, address: address.description, port: port, transport: transport))
                    }
                    asked += 1
                    progress(asked, total)
                }
            }
        }
        return found.map { entry in
            var entry = entry
            entry.identity = fingerprints?.identify(server: entry.server, allow: entry.allow)
            return entry
        }.sorted { ($0.address, $0.port) < ($1.address, $1.port) }
    }

    static func found(_ response: SIPMessage, address: String, port: Int, transport: Transport) -> Found {
        Found(address: address, port: port, transport: transport, status: response.statusCode ?? 0,
              server: (response.server ?? response.userAgent).map { String($0.prefix(200)) }, allow: response.firstValue(of: .allow))
    }

    /// One socket, one OPTIONS per target under the rate limit, the answers matched by Call-ID.
    private func udpSweep(total: Int, progress: @Sendable (Int, Int) -> Void) async throws -> [Found] {
        let answers = NIOLockedValueBox<[String: SIPMessage]>([:])
        let group = MultiThreadedEventLoopGroup.singleton
        let v6 = targets.first.map { !$0.isIPv4 } ?? false
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(answers: answers)) }
            }
            .bind(host: source ?? (v6 ? "::" : "0.0.0.0"), port: 0).get()
        defer { channel.close(promise: nil) }
        let localAddress = channel.localAddress?.ipAddress ?? "0.0.0.0"
        let localPort = channel.localAddress?.port ?? 0
        let limiter = RateLimiter(perSecond: requestsPerSecond)
        var sent: [String: (String, Int)] = [:]
        var asked = 0
        for address in targets {
            for port in ports {
                await limiter.wait()
                let callID = ProbeRequests.token(20)
                let host = address.isIPv4 ? address.description : "[\(address)]"
                let local = localAddress.contains(":") ? "[\(localAddress)]" : localAddress
                let request = SIPMessage(method: .options, uri: "sip:\(host):\(port)", headers: [
                    (.via, "SIP/2.0/UDP \(local):\(localPort);branch=\(SIPVia.magicCookie)\(ProbeRequests.token(16));rport"),
                    (.maxForwards, "70"), (.from, "<sip:audit@\(local)>;tag=\(ProbeRequests.token(8))"), (.to, "<sip:\(host):\(port)>"),
                    (.callID, callID), (.cseq, "1 OPTIONS"), (.userAgent, ProbeRequests.userAgent), (.contentLength, "0"),
                ])
                sent[callID] = (address.description, port)
                if let target = try? SocketAddress(ipAddress: address.description, port: port) {
                    var buffer = channel.allocator.buffer(capacity: 512)
                    buffer.writeBytes(request.serialized())
                    channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer), promise: nil)
                }
                asked += 1
                progress(asked, total)
            }
        }
        try await Task.sleep(for: .milliseconds(timeout.nanoseconds / 1_000_000))
        let received = answers.withLockedValue { $0 }
        return received.compactMap { callID, response in
            sent[callID].map { Self.found(response, address: $0.0, port: $0.1, transport: .udp) }
        }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let answers: NIOLockedValueBox<[String: SIPMessage]>
        init(answers: NIOLockedValueBox<[String: SIPMessage]>) { self.answers = answers }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let message = try? SIPMessage(parsing: Array(envelope.data.readableBytesView)), let status = message.statusCode, status >= 200,
                  let callID = message.firstValue(of: .callID) else { return }
            answers.withLockedValue { $0[callID] = message }
        }
    }
}

/// OPTIONS over one TCP or TLS connection: connect, send, read the first response, close.
public enum StreamOptions {
    /// The first final response to an OPTIONS sent over a new TCP (or TLS) connection; nil when none came within `timeout`.
    public static func ask(host: String, port: Int, tls: Bool, timeout: TimeAmount) async -> SIPMessage? {
        let group = MultiThreadedEventLoopGroup.singleton
        let response = group.next().makePromise(of: SIPMessage.self)
        let context: NIOSSLContext? = tls ? {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return try? NIOSSLContext(configuration: configuration)
        }() : nil
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil)) }
                        try channel.pipeline.syncOperations.addHandler(Reader(response: response))
                    }
                }
                .connect(host: host, port: port).get()
            let deadline = channel.eventLoop.scheduleTask(in: timeout) { response.fail(ChannelError.connectTimeout(timeout)) }
            defer {
                deadline.cancel()
                channel.close(promise: nil)
            }
            let local = channel.localAddress
            let hostPart = host.contains(":") ? "[\(host)]" : host
            let request = SIPMessage(method: .options, uri: "sip:\(hostPart):\(port)", headers: [
                (.via, "SIP/2.0/\(tls ? "TLS" : "TCP") \(local?.ipAddress ?? "0.0.0.0"):\(local?.port ?? 0);branch=\(SIPVia.magicCookie)\(ProbeRequests.token(16))"),
                (.maxForwards, "70"), (.from, "<sip:audit@\(local?.ipAddress ?? "invalid")>;tag=\(ProbeRequests.token(8))"),
                (.to, "<sip:\(hostPart):\(port)>"), (.callID, ProbeRequests.token(20)), (.cseq, "1 OPTIONS"),
                (.userAgent, ProbeRequests.userAgent), (.contentLength, "0"),
            ])
            var buffer = channel.allocator.buffer(capacity: 512)
            buffer.writeBytes(request.serialized())
            try await channel.writeAndFlush(buffer)
            return try await response.futureResult.get()
        } catch {
            response.fail(error)
            return nil
        }
    }

    /// Collects bytes up to the end of the first response's headers (and its body, by Content-Length).
    private final class Reader: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let response: EventLoopPromise<SIPMessage>
        var bytes: [UInt8] = []

        init(response: EventLoopPromise<SIPMessage>) { self.response = response }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += unwrapInboundIn(data).readableBytesView
            guard bytes.count < 65_536 else {
                response.fail(ChannelError.inputClosed)
                return
            }
            guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else { return }
            guard let message = try? SIPMessage(parsing: Array(bytes[..<end.upperBound])) else { return }
            let length = (try? message.contentLength()) ?? nil ?? 0
            guard bytes.count >= end.upperBound + length, let full = try? SIPMessage(parsing: Array(bytes[..<(end.upperBound + length)])) else { return }
            if (full.statusCode ?? 0) >= 200 { response.succeed(full) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            response.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            response.fail(ChannelError.ioOnClosedChannel)
        }
    }
}
