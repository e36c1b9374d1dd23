import Foundation
import NIOCore
import NIOPosix

/// Which management services answer on a host: a TCP connect to each port, and a TFTP read
/// request (UDP 69) that any TFTP server answers, if only with an error.
enum PortProbe {
    /// The services the guides say must not face the phones' network, with what each one is.
    static let services: [(port: Int, name: String, severity: AuditFinding.Severity, why: String)] = [
        (21, "FTP", .high, "FTP sends passwords in clear (phones fetch firmware and configuration over it)"),
        (22, "SSH", .info, "SSH answers: restrict it to the management network"),
        (23, "telnet", .high, "telnet sends passwords in clear"),
        (80, "HTTP", .medium, "an admin page over plain HTTP: its password crosses the network in clear"),
        (443, "HTTPS", .low, "an admin page: keep it off the internet and behind MFA"),
        (5038, "Asterisk AMI", .high, "the Asterisk Manager Interface runs commands (originate is as strong as system)"),
        (8021, "FreeSWITCH event socket", .high, "the event socket runs any command; its shipped password is ClueCon"),
        (8080, "HTTP (8080)", .medium, "an admin page over plain HTTP"),
        (8088, "Asterisk HTTP (8088)", .medium, "Asterisk's HTTP server (ARI, AMI over HTTP)"),
    ]

    static func tcpOpen(host: String, port: Int, timeout: TimeAmount) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(timeout)
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// Whether a TFTP server answers a read request for a file that does not exist.
    static func tftpAnswers(host: String, timeout: TimeAmount) async -> Bool {
        guard let target = try? SocketAddress(ipAddress: host, port: 69) else { return false }
        let group = MultiThreadedEventLoopGroup.singleton
        let answered = group.next().makePromise(of: Bool.self)
        do {
            let channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Answered(answered: answered)) }
                }
                .bind(host: target.protocol == .inet6 ? "::" : "0.0.0.0", port: 0).get()
            var request = channel.allocator.buffer(capacity: 64)
            request.writeBytes([0, 1] + Array("tollgate-audit-\(Int.random(in: 100_000...999_999)).cfg".utf8) + [0] + Array("octet".utf8) + [0])
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: request))
            let deadline = channel.eventLoop.scheduleTask(in: timeout) { answered.succeed(false) }
            let result = try await answered.futureResult.get()
            deadline.cancel()
            try? await channel.close()
            return result
        } catch {
            answered.succeed(false)
            return false
        }
    }

    private final class Answered: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let answered: EventLoopPromise<Bool>
        init(answered: EventLoopPromise<Bool>) { self.answered = answered }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { answered.succeed(true) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { answered.succeed(false) }
    }
}
