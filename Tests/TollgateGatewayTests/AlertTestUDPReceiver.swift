import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A UDP socket on 127.0.0.1 for syslog tests that keeps every datagram it receives.
final class AlertTestUDPReceiver: Sendable {
    private let datagrams = NIOLockedValueBox<[[UInt8]]>([])
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)

    /// The port the socket is bound to.
    var port: Int { self.channel.withLockedValue { $0?.localAddress?.port ?? 0 } }

    /// Binds a socket on 127.0.0.1 with an ephemeral port.
    static func start() async throws -> AlertTestUDPReceiver {
        let receiver = AlertTestUDPReceiver()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(receiver: receiver))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        receiver.channel.withLockedValue { $0 = channel }
        return receiver
    }

    /// Waits until at least `count` datagrams have arrived and returns them all.
    func waitForDatagrams(_ count: Int, timeout: Duration = .seconds(5)) async throws -> [[UInt8]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let datagrams = self.datagrams.withLockedValue { $0 }
            if datagrams.count >= count { return datagrams }
            try await Task.sleep(for: .milliseconds(5))
        }
        return self.datagrams.withLockedValue { $0 }
    }

    func stop() async {
        let channel = self.channel.withLockedValue { $0 }
        try? await channel?.close()
    }

    private final class RecordingHandler: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>

        private let receiver: AlertTestUDPReceiver

        init(receiver: AlertTestUDPReceiver) {
            self.receiver = receiver
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(self.unwrapInboundIn(data).data.readableBytesView)
            self.receiver.datagrams.withLockedValue { $0.append(bytes) }
        }
    }
}
