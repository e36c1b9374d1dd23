import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL

/// Why the transport layer could not do what was asked.
public enum SIPTransportError: Error, Sendable, CustomStringConvertible {
    case bindFailed(listener: String, reason: String)
    case noListener(SIPTransportProtocol)
    case unsupportedTransport(SIPTransportProtocol)
    case tooManyConnections(String)
    /// A connection from a source that is refused (banned or denied).
    case refused(String)
    case tlsSetup(listener: String, reason: String)
    /// A file (a generated key) could not be written.
    case cannotWrite(path: String)

    public var description: String {
        switch self {
        case .bindFailed(let listener, let reason): "cannot listen on \(listener): \(reason)"
        case .noListener(let transport): "no \(transport.rawValue) listener to send from"
        case .unsupportedTransport(let transport): "transport \(transport.rawValue) is not available"
        case .tooManyConnections(let source): "too many connections from \(source)"
        case .refused(let source): "connection from \(source) refused"
        case .tlsSetup(let listener, let reason): "cannot set up TLS for \(listener): \(reason)"
        case .cannotWrite(let path): "cannot write \(path)"
        }
    }
}

/// SIP's transports on one event loop: UDP sockets and TCP listeners, the table of open
/// connections, and sending to a peer over the right socket or connection.
///
/// Everything here runs on `eventLoop`: packets from connections are delivered there, and
/// ``send(_:to:from:)`` must be called there. The UDP sockets may be read on a loop of their own
/// (`datagramLoop`): their datagrams are delivered on it, so that the layer above can parse one
/// datagram while `eventLoop` handles the one before, and hand it over with ``handOver(_:)``.
/// Sending stays on `eventLoop` (a `sendto` on the socket, which any thread may do); the little
/// the two loops share (how many datagrams a socket's channel still holds) is atomic.
public final class SIPTransportLayer: @unchecked Sendable {
    /// Messages sent per second from which the loop busy-polls by default: about 330 calls a
    /// second, of six messages each. From there on a burst of messages queues behind another often
    /// enough that sparing each the kernel's wake-up pays for the core kept busy; below it a core
    /// would be kept busy for little.
    public static let defaultBusyPollMinimumRate = 2000

    public let eventLoop: EventLoop
    /// The loop that reads the UDP sockets: `eventLoop` unless another was given.
    public let datagramLoop: EventLoop
    public private(set) var listeners: [SIPListenerSpec] = []
    private var channels: [Int: Channel] = [:]
    private let connections = SIPConnectionTable()
    private let logger: Logger
    private let maximumMessageSize: Int
    private let maximumConnectionsPerSource: Int
    private let deliver: @Sendable (SIPInboundPacket) -> Void
    private let admits: @Sendable (SocketAddress) -> Bool
    private let sendFailures: Counter
    private let clientTLSContext: NIOSSLContext?
    /// Client contexts for particular peers (a certificate to present, private trust roots).
    private var peerTLSContexts: [SocketAddress: NIOSSLContext] = [:]
    /// Watches the UDP sockets for a moment after each send (see ``SIPReceivePoller``).
    private let poller: SIPReceivePoller
    /// Messages sent per second from which the loop busy-polls.
    var busyPollMinimumRate: Int { poller.minimumSendRate }
    /// Hands a datagram to the kernel (``SIPDatagramSocket/send(_:to:on:)``); tests replace it to
    /// play a socket whose buffer is full.
    var sendToSocket: ([UInt8], SocketAddress, CInt) -> SIPDatagramSocket.SendResult = SIPDatagramSocket.send
    /// The UDP listeners, in the order they were bound.
    private var datagramRoutes: [SIPDatagramRoute] = []
    /// The UDP sockets, for the poller.
    private var datagramDescriptors: [CInt] { datagramRoutes.compactMap(\.descriptor) }

    /// - Parameters:
    ///   - verifiesTLSPeers: whether outgoing TLS connections check the peer's certificate (on by
    ///     default; off only for development peers with self-signed certificates).
    ///   - busyPollWindow: the longest time the loop watches its UDP sockets for the next datagram
    ///     after sending, instead of sleeping (see ``SIPBusyPollWindow``); zero never watches.
    ///   - busyPollMinimumRate: the messages sent per second from which it watches (see ``SIPReceivePoller``).
    ///   - admits: called on `eventLoop` for each TCP or TLS connection before anything is read from
    ///     it (no TLS handshake either); `false` closes it at once (a banned source).
    ///   - datagramLoop: the loop that reads the UDP sockets; `nil` reads them on `eventLoop`.
    ///   - maximumHandoffs: the most datagrams handed over from `datagramLoop` and waiting at once
    ///     (see ``handOver(_:)``).
    ///   - metrics: where its counters go (send failures, dropped hand-overs).
    ///   - deliver: called with each framed inbound message: on `datagramLoop` for a datagram, on
    ///     `eventLoop` for a message from a connection.
    public init(eventLoop: EventLoop, datagramLoop: EventLoop? = nil, maximumHandoffs: Int = SIPTransportLayer.defaultMaximumHandoffs,
                logger: Logger, maximumMessageSize: Int = 65_536, maximumConnectionsPerSource: Int = 32,
                verifiesTLSPeers: Bool = true, busyPollWindow: TimeAmount = .zero,
                busyPollMinimumRate: Int = SIPTransportLayer.defaultBusyPollMinimumRate, admits: @escaping @Sendable (SocketAddress) -> Bool = { _ in true },
                metrics: MetricsFactory = MetricsSystem.factory, deliver: @escaping @Sendable (SIPInboundPacket) -> Void) {
        var client = SIPClientTLSIdentity.baseConfiguration()
        if !verifiesTLSPeers { client.certificateVerification = .none }
        self.clientTLSContext = try? NIOSSLContext(configuration: client)
        self.eventLoop = eventLoop
        self.datagramLoop = datagramLoop ?? eventLoop
        self.maximumHandoffs = maximumHandoffs
        self.sendFailures = Counter(label: "tollgate_transport_send_failures_total", factory: metrics)
        self.handoffDrops = Counter(label: "tollgate_transport_handoff_drops_total", factory: metrics)
        self.logger = logger
        self.maximumMessageSize = maximumMessageSize
        self.maximumConnectionsPerSource = maximumConnectionsPerSource
        self.deliver = deliver
        self.admits = admits
        self.poller = SIPReceivePoller(maximumWindow: busyPollWindow, minimumSendRate: busyPollMinimumRate)
    }

    /// Uses `identity` for TLS connections Tollgate opens to `address`. Call before ``start(_:)``.
    ///
    /// - Throws: ``SIPTransportError/tlsSetup(listener:reason:)`` when a file cannot be read.
    public func setClientTLS(_ identity: SIPClientTLSIdentity, for address: SocketAddress) throws(SIPTransportError) {
        peerTLSContexts[address] = try identity.makeContext(peer: "\(address.ipAddress ?? "?"):\(address.port ?? 0)")
    }

    /// Binds every listener; fails (and closes what was bound) if any cannot be bound.
    public func start(_ specs: [SIPListenerSpec]) async throws {
        do {
            for spec in specs {
                let (channel, descriptor) = try await bind(spec)
                try await eventLoop.submit {
                    self.listeners.append(spec)
                    self.channels[spec.id] = channel
                    if spec.transport == .udp { self.datagramRoutes.append(SIPDatagramRoute(id: spec.id, channel: channel, descriptor: descriptor)) }
                }.get()
                logger.info("listening", metadata: ["listener": "\(spec.transport.rawValue):\(spec.host):\(spec.port)"])
            }
        } catch {
            await stop()
            throw error
        }
        try await eventLoop.submit { self.watchForBusyPolling() }.get()
    }

    /// Gives the poller the loop's epoll instance, found through a UDP socket registered with it,
    /// or the UDP sockets themselves.
    private func watchForBusyPolling() {
        poller.forgetAll()
        guard poller.window.isEnabled else { return }
        if datagramLoop !== eventLoop {
            // The sockets are read on another loop: this one waits for what that loop hands over
            // (nothing, without a UDP listener).
            if !datagramRoutes.isEmpty { poller.pending = handoffs }
            return
        }
        guard let socket = datagramDescriptors.min() else { return }
        if let selector = SIPEventLoopSelector.descriptor(watching: socket) {
            poller.watch(selector)
        } else {
            logger.notice("busy polling watches the UDP sockets only: the event loop's epoll instance was not found")
            for descriptor in datagramDescriptors { poller.watch(descriptor) }
        }
    }

    /// Runs `work` on `eventLoop`, from another thread (a datagram read and prepared on
    /// `datagramLoop`). A busy-polling `eventLoop` watches for work handed over this way and takes
    /// it up at once.
    ///
    /// At most ``maximumHandoffs`` wait at once: past that the loop is behind by more than a burst,
    /// and the work is dropped and counted (`tollgate_transport_handoff_drops_total`), as the
    /// kernel drops datagrams once a socket's buffer is full, instead of queueing without bound.
    /// Returns whether the work was queued.
    @discardableResult
    public func handOver(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard handoffs.waiting < maximumHandoffs else {
            handoffDrops.increment()
            return false
        }
        handoffs.handedOver()
        let handoffs = self.handoffs
        eventLoop.execute {
            handoffs.takenUp()
            work()
        }
        return true
    }

    private let handoffs = SIPHandoffCount()
    /// The most pieces of work handed over and not yet taken up.
    public let maximumHandoffs: Int
    private let handoffDrops: Counter
    /// How many handed-over pieces of work wait for `eventLoop` by default: a few hundred
    /// milliseconds of the loop's work, about what a socket's 4 MB buffer holds.
    public static let defaultMaximumHandoffs = 4096

    /// Closes every listener and connection.
    public func stop() async {
        let all: [Channel] = (try? await eventLoop.submit {
            self.poller.forgetAll()
            for route in self.datagramRoutes { route.descriptor = nil }
            return Array(self.channels.values) + self.connections.entries.values.map(\.channel)
        }.get()) ?? []
        for channel in all { try? await channel.close() }
    }

    /// Binds one listener; a UDP listener's socket descriptor is returned too, for the poller.
    private func bind(_ spec: SIPListenerSpec) async throws -> (Channel, CInt?) {
        let deliver = self.deliver
        let listener = spec.id
        let name = "\(spec.transport.rawValue):\(spec.host):\(spec.port)"
        do {
            switch spec.transport {
            case .udp:
                let socket = try SIPDatagramSocket(binding: SocketAddress.makeAddressResolvingHost(spec.host, port: spec.port),
                                                   listener: name)
                // NIO's default receive buffer is 2 KB: a larger datagram (an INVITE with video, SRTP
                // keys and ICE candidates) would arrive cut short. A buffer over the limit (NIO rounds
                // it up) lets the parser see an oversized message as such.
                let datagramCapacity = min(maximumMessageSize + 1, 65_536)
                let channel = try await DatagramBootstrap(group: datagramLoop)
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: datagramCapacity))
                    .channelOption(.maxMessagesPerRead, value: 16)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(listener: listener, deliver: deliver))
                        }
                    }
                    .withBoundSocket(socket.descriptor).get()
                return (channel, socket.descriptor)
            case .tcp, .tls:
                let context = spec.transport == .tls ? try Self.serverContext(spec) : nil
                let connections = self.connections
                let maximumMessageSize = self.maximumMessageSize
                let perSource = self.maximumConnectionsPerSource
                let logger = self.logger
                let transport = spec.transport
                let admits = self.admits
                let channel = try await ServerBootstrap(group: eventLoop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            if let remote = channel.remoteAddress, !admits(remote) {
                                throw SIPTransportError.refused(remote.ipAddress ?? "?")
                            }
                            if let source = channel.remoteAddress?.ipAddress, connections.connections(from: source) >= perSource {
                                logger.notice("connection refused: per-source limit", metadata: ["source": "\(source)"])
                                throw SIPTransportError.tooManyConnections(source)
                            }
                            try Self.addStreamHandlers(to: channel, tls: context.map { NIOSSLServerHandler(context: $0) }, listener: listener,
                                                       transport: transport, maximumMessageSize: maximumMessageSize,
                                                       connections: connections, logger: logger, deliver: deliver)
                        }
                    }
                    .bind(host: spec.host, port: spec.port).get()
                return (channel, nil)
            }
        } catch let error as SIPTransportError {
            throw error
        } catch {
            throw SIPTransportError.bindFailed(listener: name, reason: "\(error)")
        }
    }

    /// The pipeline of every stream connection, accepted or opened: TLS when given, Content-Length
    /// framing, and delivery with the connection registered for replies.
    static func addStreamHandlers(
        to channel: Channel, tls: (any ChannelHandler)?, listener: Int, transport: SIPTransportProtocol, maximumMessageSize: Int,
        connections: SIPConnectionTable, logger: Logger, deliver: @escaping @Sendable (SIPInboundPacket) -> Void
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        if let tls { try pipeline.addHandler(tls) }
        try pipeline.addHandler(ByteToMessageHandler(SIPStreamDecoder(maximumMessageSize: maximumMessageSize)))
        try pipeline.addHandler(SIPStreamHandler(listener: listener, transport: transport, connections: connections, logger: logger,
                                                 deliver: deliver))
    }

    /// TLS 1.2+ server context for a listener, from its PEM certificate chain and key.
    static func serverContext(_ spec: SIPListenerSpec) throws -> NIOSSLContext {
        let name = "tls:\(spec.host):\(spec.port)"
        guard let tls = spec.tls else { throw SIPTransportError.tlsSetup(listener: name, reason: "no certificate and key configured") }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            if let ciphers = tls.cipherSuites { configuration.cipherSuites = ciphers }
            if let roots = tls.clientCATrustRootsPath {
                configuration.trustRoots = .file(roots)
                configuration.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SIPTransportError.tlsSetup(listener: name, reason: "\(error)")
        }
    }

    /// The listener to send from towards `peer`: the one given, if it has the peer's transport,
    /// else the first listener of that transport.
    public func listener(for transport: SIPTransportProtocol, preferring id: Int?) -> SIPListenerSpec? {
        if let id, let spec = listeners.first(where: { $0.id == id }), spec.transport == transport { return spec }
        return listeners.first { $0.transport == transport }
    }

    /// The UDP listener `id` if it is one, else the first.
    private func datagramRoute(preferring id: Int?) -> SIPDatagramRoute? {
        if let id, let route = datagramRoutes.first(where: { $0.id == id }) { return route }
        return datagramRoutes.first
    }

    /// Sends bytes to a peer. UDP goes out of the listener's socket; TCP reuses the peer's open
    /// connection or opens one. Must be called on `eventLoop`.
    public func send(_ bytes: [UInt8], to peer: SIPPeer, from listenerID: Int?) {
        eventLoop.assertInEventLoop()
        poller.countSend()
        switch peer.transport {
        case .udp:
            guard let route = datagramRoute(preferring: listenerID) else {
                sendFailures.increment()
                return
            }
            sendDatagram(bytes, to: peer.address, on: route)
        case .tcp, .tls:
            if let channel = connections.channel(for: peer) {
                write(bytes, on: channel)
            } else {
                connect(to: peer, listenerID: listenerID).whenComplete { result in
                    switch result {
                    case .success(let channel): self.write(bytes, on: channel)
                    case .failure(let error):
                        self.sendFailures.increment()
                        self.logger.warning("cannot connect", metadata: ["peer": "\(peer)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Sends one datagram at once, with one `sendto` on the listener's socket: a message leaves as
    /// soon as it is ready, not after the rest of its read burst has been handled, and without a
    /// pass through the channel's write path. When the socket's buffer is full (`EAGAIN`), the
    /// datagram goes to the channel instead, which writes it once the socket can take it; until
    /// the channel has written everything it holds, later datagrams follow the same way, so none
    /// overtakes another.
    private func sendDatagram(_ bytes: [UInt8], to address: SocketAddress, on route: SIPDatagramRoute) {
        if route.queued.load(ordering: .acquiring) == 0, let descriptor = route.descriptor {
            switch sendToSocket(bytes, address, descriptor) {
            case .sent:
                schedulePollWindow()
                return
            case .wouldBlock:
                break
            case .failed(let code):
                sendFailures.increment()
                logger.debug("cannot send", metadata: ["peer": "\(address)", "errno": "\(code)"])
                return
            }
        }
        route.queued.add(1, ordering: .releasing)
        let channel = route.channel
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let written = channel.eventLoop.makePromise(of: Void.self)
        let failures = sendFailures
        written.futureResult.whenComplete { result in
            route.queued.subtract(1, ordering: .releasing)
            if case .failure = result { failures.increment() }
        }
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: written)
        schedulePollWindow()
    }

    private var pollWindowQueued = false

    /// Opens a busy-poll window once the tasks queued now have run (one per loop turn at most).
    private func schedulePollWindow() {
        guard poller.isEnabled, !pollWindowQueued, !poller.isWindowOpen else { return }
        pollWindowQueued = true
        eventLoop.execute {
            self.pollWindowQueued = false
            self.poller.openWindow(on: self.eventLoop)
        }
    }

    private func write(_ bytes: [UInt8], on channel: Channel) {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer, promise: nil)
        schedulePollWindow()
    }

    private var pendingConnections: [SIPPeer: EventLoopFuture<Channel>] = [:]

    private func connect(to peer: SIPPeer, listenerID: Int?) -> EventLoopFuture<Channel> {
        if let pending = pendingConnections[peer] { return pending }
        let listener = self.listener(for: peer.transport, preferring: listenerID)?.id ?? -1
        let connections = self.connections
        let deliver = self.deliver
        let maximumMessageSize = self.maximumMessageSize
        let transport = peer.transport
        let tlsContext = peerTLSContexts[peer.address] ?? self.clientTLSContext
        let logger = self.logger
        let future = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var tls: NIOSSLClientHandler?
                    if transport == .tls {
                        guard let tlsContext else { throw SIPTransportError.unsupportedTransport(.tls) }
                        tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: nil)
                    }
                    try Self.addStreamHandlers(to: channel, tls: tls, listener: listener, transport: transport,
                                               maximumMessageSize: maximumMessageSize, connections: connections, logger: logger,
                                               deliver: deliver)
                }
            }
            .connect(to: peer.address)
        pendingConnections[peer] = future
        future.whenComplete { _ in self.pendingConnections[peer] = nil }
        return future
    }

    /// Number of open stream connections.
    public var connectionCount: Int { connections.count }

    /// Closes stream connections idle for longer than `timeout`.
    public func closeIdleConnections(olderThan timeout: TimeAmount) {
        for channel in connections.idle(before: .now() - timeout) { channel.close(promise: nil) }
    }
}
