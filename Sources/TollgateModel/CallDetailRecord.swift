import Foundation

/// One call as it ended: the record the gateway writes to the Store, `tollgate cdr export`
/// prints and `tollgate cdr analyze` reads back (alongside the PBXs' own CDR formats).
public struct CallDetailRecord: Sendable, Hashable, Codable {
    /// How the call ended.
    public enum Disposition: String, Sendable, Hashable, Codable, CaseIterable {
        /// Answered (a 2xx to the INVITE).
        case answered
        /// Not answered before the caller gave up or the callee's side timed out (487, 408, 480).
        case noAnswer = "no-answer"
        /// The callee was busy (486, 600).
        case busy
        /// Tollgate's fraud policy rejected it.
        case rejected
        /// Any other final failure.
        case failed
        /// In progress when the gateway stopped without ending it (killed, or the machine went down):
        /// recorded at the next start, ending at the last moment the gateway saw it alive.
        case interrupted
    }

    /// Who ended the call.
    public enum HangupSide: String, Sendable, Hashable, Codable, CaseIterable {
        case caller, callee, gateway
    }

    /// Which way the call went through Tollgate.
    public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
        /// From the PBX out through a trunk.
        case outbound
        /// From a trunk or a remote phone to the PBX.
        case inbound
    }

    /// The row id the store gave the record; `nil` until stored.
    public var id: Int64?
    /// The Call-ID the caller's side used.
    public var callID: String
    public var direction: Direction
    /// The caller (the user part of From, or the whole URI when it has none).
    public var from: String
    /// The dialled number (the Request-URI's user part).
    public var to: String
    /// The destination's class, when the number could be read.
    public var destinationClass: String?
    /// The account the call was counted against (an extension, a remote phone's user, a trunk).
    public var account: String
    /// The caller's transport address (IP text).
    public var source: String
    /// The trunk the call came from or went to.
    public var trunk: String?
    public var start: Date
    public var answer: Date?
    public var end: Date
    /// The final SIP status (200 for an answered call).
    public var cause: Int?
    public var disposition: Disposition
    public var hangup: HangupSide?
    /// The fraud rule that rejected or flagged the call, if any.
    public var rule: String?
    /// The call's media, when Tollgate anchored it.
    public var media: CallMediaSummary?
    /// The caller identity verdict for a call from a trunk, when Tollgate verifies identity:
    /// `verified-A`, `failed:bad-signature`, `absent`, with `;spoofed=own-number` (or `vip`) when the
    /// caller ID claimed one of the company's own numbers without full attestation.
    public var identity: String?

    public init(
        id: Int64? = nil, callID: String, direction: Direction, from: String, to: String, destinationClass: String? = nil,
        account: String, source: String, trunk: String? = nil, start: Date, answer: Date? = nil, end: Date,
        cause: Int? = nil, disposition: Disposition, hangup: HangupSide? = nil, rule: String? = nil, media: CallMediaSummary? = nil,
        identity: String? = nil
    ) {
        self.id = id
        self.callID = callID
        self.direction = direction
        self.from = from
        self.to = to
        self.destinationClass = destinationClass
        self.account = account
        self.source = source
        self.trunk = trunk
        self.start = start
        self.answer = answer
        self.end = end
        self.cause = cause
        self.disposition = disposition
        self.hangup = hangup
        self.rule = rule
        self.media = media
        self.identity = identity
    }

    /// Seconds from start to end.
    public var duration: TimeInterval { max(0, end.timeIntervalSince(start)) }
    /// Seconds from answer to end (0 when not answered).
    public var billableSeconds: TimeInterval { answer.map { max(0, end.timeIntervalSince($0)) } ?? 0 }

    /// The disposition a final SIP status gives.
    public static func disposition(forStatus status: Int) -> Disposition {
        switch status {
        case 200..<300: .answered
        case 486, 600: .busy
        case 408, 480, 487: .noAnswer
        default: .failed
        }
    }
}
