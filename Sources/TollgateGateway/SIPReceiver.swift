import NIOCore
import SIPTransport
import Synchronization

/// Where the transport's packets go: to the proxy, which is made after the transport (it sends
/// through it); and, for the datagrams read on a reader thread, through the intake first and then
/// over to the SIP loop.
///
/// Packets that arrive before ``start(_:transport:intake:)`` are dropped; nothing listens before it.
final class SIPReceiver: Sendable {
    private struct Target: Sendable {
        let proxy: SIPProxy
        let transport: SIPTransportLayer
        let intake: SIPDatagramIntake
    }

    private let target = Mutex<Target?>(nil)

    /// Sends packets to `proxy` from now on.
    func start(_ proxy: SIPProxy, transport: SIPTransportLayer, intake: SIPDatagramIntake) {
        target.withLock { $0 = Target(proxy: proxy, transport: transport, intake: intake) }
    }

    /// Whether a TCP or TLS connection from `address` may be read from (called on the SIP loop).
    func admits(_ address: SocketAddress) -> Bool {
        guard let proxy = target.withLock({ $0?.proxy }) else { return true }
        return !proxy.refusesConnection(from: address)
    }

    /// Takes a packet the transport delivered: on the SIP loop `loop`, straight to the proxy; on the
    /// reader thread, through the intake (refused sources dropped, the rest parsed and validated)
    /// and then handed over to the loop.
    func receive(_ packet: SIPInboundPacket, on loop: any EventLoop) {
        guard let target = target.withLock({ $0 }) else { return }
        if loop.inEventLoop {
            target.proxy.receive(packet)
            return
        }
        guard let prepared = target.intake.take(packet) else { return }
        let proxy = target.proxy
        target.transport.handOver { proxy.receive(prepared: prepared) }
    }
}
