import Metrics
import NIOCore
import TollgateModel

/// Closes a connection the moment it is accepted when its source may not use the console
/// (outside `console.allow`, or banned for failed logins): the peer gets no TLS handshake and no
/// HTTP answer, so it learns nothing about what listens.
final class SourceGate: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private let admits: @Sendable (IPAddress) -> Bool
    private let refused = Counter(label: "tollgate_console_refused_connections_total")

    init(admits: @escaping @Sendable (IPAddress) -> Bool) {
        self.admits = admits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let text = context.channel.remoteAddress?.ipAddress, let address = IPAddress(text), admits(address) else {
            refused.increment()
            context.close(promise: nil)
            return
        }
    }
}
