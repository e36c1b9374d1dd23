#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A media peer's transport address (IPv4 or IPv6 and a port) as the socket layer gives it: a
/// plain value, made from a `sockaddr` and compared without allocating, so that the relay can
/// read where every packet came from and latch on it at no cost. Its text is made only when an
/// event needs it.
public struct MediaEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// 4 or 6.
    let family: UInt8
    /// The port, in host byte order.
    public private(set) var port: UInt16
    /// The address's 16 bytes as two words in network byte order (IPv4 in the first four bytes).
    let high: UInt64
    let low: UInt64
    /// An IPv6 address's scope (interface) identifier.
    let scope: UInt32

    /// The endpoint `host` (an IPv4 or IPv6 literal) and `port`; nil when `host` is not a literal.
    public init?(host: String, port: UInt16) {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            self.init(ipv4: v4, port: port)
            return
        }
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return nil }
        self.init(ipv6: v6, port: port, scope: 0)
    }

    /// The endpoint a socket address holds; nil for a family other than IPv4 and IPv6.
    init?(_ address: UnsafePointer<sockaddr_storage>) {
        switch Int32(address.pointee.ss_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(address).load(as: sockaddr_in.self)
            self.init(ipv4: v4.sin_addr, port: UInt16(bigEndian: v4.sin_port))
        case AF_INET6:
            let v6 = UnsafeRawPointer(address).load(as: sockaddr_in6.self)
            self.init(ipv6: v6.sin6_addr, port: UInt16(bigEndian: v6.sin6_port), scope: v6.sin6_scope_id)
        default:
            return nil
        }
    }

    private init(ipv4: in_addr, port: UInt16) {
        family = 4
        self.port = port
        high = UInt64(ipv4.s_addr)
        low = 0
        scope = 0
    }

    private init(ipv6: in6_addr, port: UInt16, scope: UInt32) {
        family = 6
        self.port = port
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeBytes(of: ipv6) { source in withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) } }
        high = words.0
        low = words.1
        self.scope = scope
    }

    /// The same address with port 0: the host, for counting by source.
    var host: MediaEndpoint {
        var host = self
        host.port = 0
        return host
    }

    /// Writes the endpoint as a socket address into `storage`; returns its length.
    func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        let raw = UnsafeMutableRawPointer(storage)
        if family == 4 {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr = in_addr(s_addr: in_addr_t(truncatingIfNeeded: high))
            raw.storeBytes(of: v4, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        v6.sin6_scope_id = scope
        var words = (high, low)
        withUnsafeBytes(of: &words) { source in withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyMemory(from: source) } }
        raw.storeBytes(of: v6, as: sockaddr_in6.self)
        return socklen_t(MemoryLayout<sockaddr_in6>.size)
    }

    /// The address as text, `192.0.2.1` or `2001:db8::1`.
    public var ipAddress: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if family == 4 {
            var v4 = in_addr(s_addr: in_addr_t(truncatingIfNeeded: high))
            _ = inet_ntop(AF_INET, &v4, &text, socklen_t(text.count))
        } else {
            var words = (high, low)
            _ = inet_ntop(AF_INET6, &words, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `192.0.2.1:4000` or `[2001:db8::1]:4000`.
    public var description: String {
        family == 4 ? "\(ipAddress):\(port)" : "[\(ipAddress)]:\(port)"
    }
}
