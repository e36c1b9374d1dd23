import NIOCore
import NIOPosix

/// Sends syslog messages as UDP datagrams to one collector, one message per datagram.
///
/// An IPv4 or IPv6 literal is used as it is; a host name is resolved on NIO's blocking thread pool,
/// never on the caller's thread, and again after a minute or after a failed send. The socket is a
/// connected UDP socket, opened on first use and reopened after a failure.
actor SyslogUDPTransport {
    /// How long a resolved address of a host name is used before it is resolved again.
    static let resolutionLifetime: Duration = .seconds(60)

    private let host: String
    private let port: Int
    private let eventLoopGroup: any EventLoopGroup
    private var address: SocketAddress?
    private var resolvedAt: ContinuousClock.Instant?
    private var channel: (any Channel)?

    init(host: String, port: Int, eventLoopGroup: any EventLoopGroup) {
        // `[::1]` as written in URLs is accepted as well as `::1`.
        if host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 {
            self.host = String(host.dropFirst().dropLast())
        } else {
            self.host = host
        }
        self.port = port
        self.eventLoopGroup = eventLoopGroup
        self.address = try? SocketAddress(ipAddress: self.host, port: port)
    }

    /// Sends one datagram; on failure the socket is closed and the next send starts afresh.
    func send(_ message: [UInt8]) async throws {
        do {
            let channel = try await self.openChannel()
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: message))
        } catch {
            self.reset()
            throw error
        }
    }

    /// Closes the socket.
    func close() async {
        let channel = self.channel
        self.channel = nil
        try? await channel?.close()
    }

    private func openChannel() async throws -> any Channel {
        let address = try await self.resolve()
        if let channel = self.channel, channel.isActive, channel.remoteAddress == address {
            return channel
        }
        await self.close()
        let channel = try await DatagramBootstrap(group: self.eventLoopGroup).connect(to: address).get()
        self.channel = channel
        return channel
    }

    private func resolve() async throws -> SocketAddress {
        if let address = self.address {
            guard let resolvedAt = self.resolvedAt else {
                return address  // an address literal
            }
            if resolvedAt.duration(to: .now) < Self.resolutionLifetime {
                return address
            }
        }
        let host = self.host
        let port = self.port
        let address = try await NIOThreadPool.singleton.runIfActive {
            try SocketAddress.makeAddressResolvingHost(host, port: port)
        }
        self.address = address
        self.resolvedAt = .now
        return address
    }

    private func reset() {
        self.channel?.close(promise: nil)
        self.channel = nil
        if self.resolvedAt != nil {
            self.address = nil
            self.resolvedAt = nil
        }
    }
}
