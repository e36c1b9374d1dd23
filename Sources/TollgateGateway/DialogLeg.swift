import SIPCore
import SIPTransport

/// One side of a confirmed dialog as that side knows it: what the gateway needs to send it a
/// request of its own (a BYE when the gateway ends the call) that the side takes as part of the
/// dialog (RFC 3261 §12.2.1.1).
///
/// The values are the ones that crossed the wire on that side, after topology hiding, so a leg
/// towards the outside names only what the outside was shown.
struct DialogLeg: Sendable, Hashable {
    /// Where the side's messages go, and the listener they leave from.
    var peer: SIPPeer
    var listener: Int?
    var callID: String
    /// The From a request towards this side carries: the other party, with its tag.
    var from: String
    /// The To: this side, with its tag.
    var to: String
    /// The side's remote target (its Contact), refreshed by its re-INVITEs and UPDATEs.
    var target: String
    /// The route set towards the side, nearest hop first (RFC 3261 §12.1).
    var routes: [String]
    /// The highest CSeq number of requests sent towards this side within the dialog.
    var cseq: UInt32

    /// A BYE ending the dialog on this side, with Tollgate's Via (the branch given) and an RFC 3326 Reason.
    func bye(via: String, reason: String) -> SIPMessage {
        var headers: [(SIPHeaderName, String)] = [(.via, via)]
        for route in routes { headers.append((.route, route)) }
        headers += [
            (.maxForwards, "70"), (.from, from), (.to, to), (.callID, callID),
            (.cseq, "\(cseq &+ 1) BYE"), (SIPHeaderName("Reason"), reason),
        ]
        return SIPMessage(method: .bye, uri: target, headers: headers)
    }

    /// `value` with `;tag=` added when it has none.
    static func tagged(_ value: String, tag: String?) -> String {
        guard let tag, let address = try? SIPNameAddress(parsing: value), address.tag == nil else { return value }
        return value + ";tag=" + tag
    }
}

/// Both legs of a confirmed dialog, taken from its INVITE as it arrived and as it left and from
/// the 2xx that confirmed it.
struct DialogLegs: Sendable, Hashable {
    var caller: DialogLeg
    var callee: DialogLeg

    /// The legs of a dialog confirmed by `answer` (the 2xx as the callee sent it) to `sent` (the
    /// INVITE as it left towards the callee), which came in as `received` from the caller.
    /// `isOwnRoute` tells the gateway's own Record-Route values. Nil when a header a BYE needs is missing.
    init?(received: SIPMessage, from caller: SIPPeer, callerListener: Int, sent: SIPMessage, to callee: SIPPeer,
          calleeListener: Int?, answer: SIPMessage, isOwnRoute: (String) -> Bool) {
        guard let callerFrom = received.firstValue(of: .from), let callerTo = received.firstValue(of: .to),
              let callerCallID = received.firstValue(of: .callID),
              let callerTarget = (try? received.contacts().first?.address?.uri.description) ?? nil,
              let calleeFrom = sent.firstValue(of: .from), let calleeTo = sent.firstValue(of: .to),
              let calleeCallID = sent.firstValue(of: .callID), let calleeCSeq = try? sent.cseq().sequence,
              let calleeTarget = (try? answer.contacts().first?.address?.uri.description) ?? nil,
              let calleeTag = (try? SIPNameAddress(parsing: answer.firstValue(of: .to) ?? ""))?.tag
        else { return nil }
        // Towards the caller: the Record-Route values the INVITE arrived with, in order. Towards the
        // callee: the 2xx's values above Tollgate's own, reversed.
        let calleeRoutes = Array(answer.values(of: .recordRoute).prefix { !isOwnRoute($0) }.reversed())
        self.caller = DialogLeg(peer: caller, listener: callerListener, callID: callerCallID,
                                from: DialogLeg.tagged(callerTo, tag: calleeTag), to: callerFrom, target: callerTarget,
                                routes: received.values(of: .recordRoute), cseq: 0)
        self.callee = DialogLeg(peer: callee, listener: calleeListener, callID: calleeCallID,
                                from: calleeFrom, to: DialogLeg.tagged(calleeTo, tag: calleeTag), target: calleeTarget,
                                routes: calleeRoutes, cseq: calleeCSeq)
    }
}
