import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket that Tollgate opens and binds itself before handing it to NIO
/// (`DatagramBootstrap.withBoundSocket`): so that a SIP listener's descriptor is known to the
/// ``SIPReceivePoller``, and so that a media port is bound at once, while the SDP that names it
/// is being written.
///
/// A SIP listener reuses its address, so a restart binds at once, and has 4 MB of kernel buffer
/// each way, so a burst of calls is not dropped before the event loop reads it. A media port does
/// not reuse its address: a port another process holds must fail to bind.
public struct SIPDatagramSocket: Sendable {
    /// The open, bound, non-blocking descriptor. NIO owns (and closes) it once given to a channel.
    public let descriptor: CInt

    /// Opens a UDP socket of `address`'s family, sets its options and binds it.
    ///
    /// - Parameters:
    ///   - address: Where to bind.
    ///   - listener: A name for errors (`udp:127.0.0.1:5060`, `media 127.0.0.1:20000`).
    ///   - bufferSize: The kernel's receive and send buffer, in bytes.
    ///   - reuseAddress: Whether to set `SO_REUSEADDR`.
    /// - Throws: ``SIPTransportError/bindFailed(listener:reason:)`` with the system's reason; the
    ///   descriptor is closed on failure.
    public init(binding address: SocketAddress, listener: String, bufferSize: CInt = 4 << 20, reuseAddress: Bool = true) throws(SIPTransportError) {
        #if canImport(Darwin)
        let datagram = SOCK_DGRAM
        #else
        let datagram = CInt(SOCK_DGRAM.rawValue)
        #endif
        let descriptor = socket(address.protocol.rawValue, datagram, 0)
        guard descriptor >= 0 else { throw Self.failure(listener, "socket") }
        func configure() -> String? {
            var one: CInt = 1
            var size = bufferSize
            let length = socklen_t(MemoryLayout<CInt>.size)
            if reuseAddress, setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, length) != 0 { return "SO_REUSEADDR" }
            if setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, length) != 0 { return "SO_RCVBUF" }
            if setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, length) != 0 { return "SO_SNDBUF" }
            let flags = fcntl(descriptor, F_GETFL, 0)
            if flags < 0 || fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) != 0 { return "O_NONBLOCK" }
            let bound = address.withSockAddr { pointer, length in bind(descriptor, pointer, socklen_t(length)) }
            return bound == 0 ? nil : "bind"
        }
        if let step = configure() {
            let error = Self.failure(listener, step)
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    private static func failure(_ listener: String, _ step: String) -> SIPTransportError {
        .bindFailed(listener: listener, reason: "\(step): \(String(cString: strerror(errno)))")
    }

    /// What became of a datagram given to ``send(_:to:on:)``.
    public enum SendResult: Equatable, Sendable {
        /// The kernel took the whole datagram.
        case sent
        /// The socket's send buffer is full; try again once it is writable.
        case wouldBlock
        /// The kernel refused it; the `errno`.
        case failed(CInt)
    }

    /// Sends `bytes` as one datagram to `address` from the non-blocking socket `descriptor`, with
    /// one `sendto` (retried if a signal interrupts it).
    public static func send(_ bytes: [UInt8], to address: SocketAddress, on descriptor: CInt) -> SendResult {
        while true {
            let sent = bytes.withUnsafeBytes { raw in
                address.withSockAddr { pointer, length in
                    sendto(descriptor, raw.baseAddress, raw.count, 0, pointer, socklen_t(length))
                }
            }
            if sent >= 0 { return sent == bytes.count ? .sent : .failed(EMSGSIZE) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(code)
            }
        }
    }
}
