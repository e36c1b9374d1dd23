import NIOCore
import TollgateModel

extension IPAddress {
    /// The key of a socket address (IPv4, or IPv6 with IPv4-mapped addresses folded to IPv4).
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.init(ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            self.init(ipv6: bytes)
        default:
            return nil
        }
    }
}
