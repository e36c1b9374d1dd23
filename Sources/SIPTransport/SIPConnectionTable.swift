import NIOCore

/// Open stream connections by remote peer, so that responses and later requests reuse the
/// connection a peer opened (RFC 3261 §18.2.2, §18.3). Confined to the transport's event loop.
final class SIPConnectionTable: @unchecked Sendable {
    struct Entry {
        var channel: Channel
        var listener: Int
        var lastUsed: NIODeadline
    }

    private(set) var entries: [SIPPeer: Entry] = [:]
    private var perSource: [String: Int] = [:]

    var count: Int { entries.count }

    func register(_ channel: Channel, for peer: SIPPeer, listener: Int) {
        entries[peer] = Entry(channel: channel, listener: listener, lastUsed: .now())
        perSource[peer.ipAddress, default: 0] += 1
    }

    func unregister(_ channel: Channel, for peer: SIPPeer) {
        guard let entry = entries[peer], entry.channel === channel else { return }
        entries[peer] = nil
        let remaining = (perSource[peer.ipAddress] ?? 1) - 1
        perSource[peer.ipAddress] = remaining > 0 ? remaining : nil
    }

    func channel(for peer: SIPPeer) -> Channel? { entries[peer]?.channel }

    func touch(_ peer: SIPPeer) { entries[peer]?.lastUsed = .now() }

    /// Connections currently open from one source address.
    func connections(from address: String) -> Int { perSource[address] ?? 0 }

    /// Channels idle since before `deadline`.
    func idle(before deadline: NIODeadline) -> [Channel] {
        entries.values.filter { $0.lastUsed < deadline }.map(\.channel)
    }
}
