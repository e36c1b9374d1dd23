import Foundation
import Metrics
import SIPTransport
import TollgateModel
import TollgateShield

/// What the thread that reads the UDP sockets does with each datagram before the proxy's loop
/// sees it, when the sockets are read on a thread of their own (`performance.reader_thread`).
///
/// A refused source (banned, or on the deny-list) costs one lookup, as on the loop: its datagram
/// is counted and dropped, nothing parsed, nothing handed over. A keep-alive is counted and goes no
/// further either. Any other datagram is parsed and validated here (``SIPPacketPreparer``) while
/// the loop handles the datagram before it; the loop then asks Shield again (a ban set meanwhile
/// counts) and goes on from the prepared packet, deciding exactly as it would from the bytes.
struct SIPDatagramIntake: Sendable {
    let preparer: SIPPacketPreparer
    /// Shield's bans and deny-list; `nil` runs without Shield.
    let refusals: ShieldRefusals?
    /// Counts a datagram refused here (the counter the loop counts its refusals in).
    let refusedCounter: Counter
    /// Counts a keep-alive (the loop's counter of them).
    let keepAliveCounter: Counter
    /// Seconds since 1970.
    var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// The datagram prepared for the proxy, or `nil` when it needs nothing more: its source is
    /// refused, or it is a keep-alive.
    func take(_ packet: SIPInboundPacket) -> SIPPreparedPacket? {
        if let refusals, let address = IPAddress(packet.source.address), refusals.refuses(address, now: clock()) {
            refusedCounter.increment()
            return nil
        }
        let prepared = preparer.prepare(packet)
        if case .keepAlive = prepared.content {
            keepAliveCounter.increment()
            return nil
        }
        return prepared
    }
}
