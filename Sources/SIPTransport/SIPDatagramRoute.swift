import NIOCore
import Synchronization

/// What sending a datagram from one UDP listener needs, found with one look: its channel, its
/// socket, and how many datagrams its channel still holds.
///
/// Used on the transport's event loop, except the count, which a write's completion counts down on
/// the channel's loop (the datagram loop, when the sockets are read on one of their own): hence
/// `@unchecked Sendable`, and an atomic count.
final class SIPDatagramRoute: @unchecked Sendable {
    /// The listener's id.
    let id: Int
    let channel: Channel
    /// The listener's socket, for direct sends; `nil` once the transport stops.
    var descriptor: CInt?
    /// Datagrams handed to the channel and not yet written out: while any is, later datagrams
    /// follow them through the channel so that none overtakes another.
    let queued = Atomic<Int>(0)

    init(id: Int, channel: Channel, descriptor: CInt?) {
        self.id = id
        self.channel = channel
        self.descriptor = descriptor
    }
}
