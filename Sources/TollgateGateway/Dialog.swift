import NIOCore
import SIPCore
import SIPTransport

/// An INVITE dialog as the gateway sees it (RFC 3261 §12): both sides, its state and its times.
/// Concurrent-call limits and CDRs build on these.
public struct DialogInfo: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case early, confirmed, terminated
    }

    public var callID: String
    public var callerTag: String
    public var calleeTag: String?
    public var caller: SIPPeer
    public var callee: SIPPeer
    public var callerZone: GatewayZone
    public var calleeZone: GatewayZone
    public var trunk: String?
    /// Each side's own Contact URI (its remote target), as it sent it, before any masking.
    public var callerContact: String?
    public var calleeContact: String?
    public var state: State
    public var created: NIODeadline
    public var answered: NIODeadline?
    public var ended: NIODeadline?
    /// Each side as it knows the dialog, once confirmed: what a BYE of the gateway's own is made from.
    var legs: DialogLegs?
    /// The highest CSeq of requests relayed within the dialog from each side, early ones (PRACK,
    /// UPDATE) included.
    var highestCSeqFromCaller: UInt32 = 0
    var highestCSeqFromCallee: UInt32 = 0
}

/// The dialogs in progress, by Call-ID and caller tag. Confined to the gateway's event loop.
final class DialogTable {
    private(set) var dialogs: [String: [DialogInfo]] = [:]
    private(set) var early = 0
    private(set) var confirmed = 0

    var count: Int { early + confirmed }

    func begin(_ dialog: DialogInfo) {
        if dialogs[dialog.callID]?.contains(where: { $0.callerTag == dialog.callerTag }) == true { return }
        dialogs[dialog.callID, default: []].append(dialog)
        early += 1
    }

    /// The dialog a request with these tags belongs to, and whether it comes from the caller.
    func find(callID: String, fromTag: String?, toTag: String?) -> (dialog: DialogInfo, fromCaller: Bool)? {
        guard let candidates = dialogs[callID] else { return nil }
        for dialog in candidates {
            if dialog.callerTag == fromTag, toTag == nil || dialog.calleeTag == nil || dialog.calleeTag == toTag {
                return (dialog, true)
            }
            if let calleeTag = dialog.calleeTag, calleeTag == fromTag, dialog.callerTag == toTag {
                return (dialog, false)
            }
        }
        return nil
    }

    func confirm(callID: String, callerTag: String, calleeTag: String?, at time: NIODeadline) {
        update(callID: callID, callerTag: callerTag) { dialog in
            guard dialog.state == .early else { return }
            dialog.state = .confirmed
            dialog.calleeTag = calleeTag ?? dialog.calleeTag
            dialog.answered = time
            early -= 1
            confirmed += 1
        }
    }

    /// Keeps the legs of a dialog that was just confirmed.
    func setLegs(callID: String, callerTag: String, _ legs: DialogLegs) {
        update(callID: callID, callerTag: callerTag) { dialog in
            guard dialog.legs == nil else { return }
            var legs = legs
            legs.callee.cseq = max(legs.callee.cseq, dialog.highestCSeqFromCaller)
            legs.caller.cseq = max(legs.caller.cseq, dialog.highestCSeqFromCallee)
            dialog.legs = legs
        }
    }

    /// A request within the dialog passed from one side to the other: the CSeq towards its
    /// recipient moves up, and a new Contact of its sender (a target refresh) is kept.
    func noteRequest(callID: String, callerTag: String, fromCaller: Bool, cseq: UInt32, contact: String?) {
        update(callID: callID, callerTag: callerTag) { dialog in
            if fromCaller {
                dialog.highestCSeqFromCaller = max(dialog.highestCSeqFromCaller, cseq)
            } else {
                dialog.highestCSeqFromCallee = max(dialog.highestCSeqFromCallee, cseq)
            }
            guard var legs = dialog.legs else { return }
            if fromCaller {
                legs.callee.cseq = max(legs.callee.cseq, cseq)
                if let contact { legs.caller.target = contact }
            } else {
                legs.caller.cseq = max(legs.caller.cseq, cseq)
                if let contact { legs.callee.target = contact }
            }
            dialog.legs = legs
        }
    }

    func setCalleeTag(callID: String, callerTag: String, calleeTag: String, calleeContact: String?) {
        update(callID: callID, callerTag: callerTag) { dialog in
            if dialog.calleeTag == nil { dialog.calleeTag = calleeTag }
            if let calleeContact { dialog.calleeContact = calleeContact }
        }
    }

    /// Ends a dialog and removes it; returns it as it ended.
    @discardableResult
    func end(callID: String, callerTag: String, at time: NIODeadline) -> DialogInfo? {
        guard var list = dialogs[callID], let index = list.firstIndex(where: { $0.callerTag == callerTag }) else { return nil }
        var dialog = list.remove(at: index)
        if dialog.state == .early { early -= 1 } else if dialog.state == .confirmed { confirmed -= 1 }
        dialog.state = .terminated
        dialog.ended = time
        dialogs[callID] = list.isEmpty ? nil : list
        return dialog
    }

    private func update(callID: String, callerTag: String, _ change: (inout DialogInfo) -> Void) {
        guard var list = dialogs[callID], let index = list.firstIndex(where: { $0.callerTag == callerTag }) else { return }
        change(&list[index])
        dialogs[callID] = list
    }

    /// Dialogs older than `deadline` that never got confirmed, or confirmed ones idle past it.
    func expire(createdBefore earlyDeadline: NIODeadline, answeredBefore confirmedDeadline: NIODeadline, at time: NIODeadline) -> [DialogInfo] {
        var ended: [DialogInfo] = []
        for (callID, list) in dialogs {
            for dialog in list {
                let stale = dialog.state == .early ? dialog.created < earlyDeadline : (dialog.answered ?? dialog.created) < confirmedDeadline
                if stale, let gone = end(callID: callID, callerTag: dialog.callerTag, at: time) { ended.append(gone) }
            }
        }
        return ended
    }
}
