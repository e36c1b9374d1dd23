import NIOCore

/// What sending a datagram from one UDP listener needs, found with one look: its channel, its
/// socket, and how many datagrams its channel still holds.
///
/// Used on the transport's event loop only (hence `@unchecked Sendable`: a write's completion, which
/// counts it down, runs there too).
final class SIPDatagramRoute: @unchecked Sendable {
    /// The listener's id.
    let id: Int
    let channel: Channel
    /// The listener's socket, for direct sends; `nil` once the transport stops.
    var descriptor: CInt?
    /// Datagrams handed to the channel and not yet written out: while any is, later datagrams
    /// follow them through the channel so that none overtakes another.
    var queued = 0

    init(id: Int, channel: Channel, descriptor: CInt?) {
        self.id = id
        self.channel = channel
        self.descriptor = descriptor
    }
}
