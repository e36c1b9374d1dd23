/// The order in which the datagrams of one read are handed up: answers first, then requests within
/// a dialog (ACK, BYE), then the rest (INVITE, CANCEL, REGISTER, OPTIONS …), each class in arrival
/// order.
///
/// A message that waits on the event loop waits for the handling of every message read before it.
/// A new INVITE costs the most to handle (admission, hooks, routing, a transaction, a record); an
/// answer or an ACK the least. Handling the short ones first shortens the wait of most messages
/// (the shortest-job-first rule) and delays an INVITE by only the few short ones of the same read.
///
/// Only the order of classes changes, never that of two requests of one class. An answer in a read
/// can only belong to a request relayed before that read, and a request with a dialog to a dialog
/// set up before it, so taking them first changes nothing about what the proxy decides. A CANCEL
/// stays behind the INVITE it cancels.
public enum SIPDatagramOrder {
    /// Every rank ``rank(_:)`` gives, most urgent first.
    public static let ranks = 0...2

    /// How early a datagram is handed up: 0 for an answer, 1 for ACK and BYE, 2 for the rest.
    /// Looks at the start line's first bytes only.
    public static func rank(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            guard buffer.count >= 4 else { return 2 }
            switch (buffer[0], buffer[1], buffer[2], buffer[3]) {
            case (0x53, 0x49, 0x50, 0x2F):  // "SIP/": an answer
                return 0
            case (0x41, 0x43, 0x4B, 0x20), (0x42, 0x59, 0x45, 0x20):  // "ACK ", "BYE "
                return 1
            default:
                return 2
            }
        }
    }
}
