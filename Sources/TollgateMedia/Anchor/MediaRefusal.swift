/// Why an offer cannot be anchored, with the SIP status the gateway answers it with.
public struct MediaRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// The side's policy requires SRTP and the offer has no crypto line Tollgate accepts.
        case srtpRequired = "srtp-required"
        /// The offer insists on SRTP (RTP/SAVP) with no acceptable crypto, or on a side whose policy is off.
        case srtpUnacceptable = "srtp-unacceptable"
        /// No free media ports.
        case portsExhausted = "media-ports-exhausted"
    }

    public var reason: Reason
    /// 488 Not Acceptable Here, or 503 when ports ran out.
    public var status: Int
    public var detail: String

    public init(_ reason: Reason, detail: String) {
        self.reason = reason
        self.status = reason == .portsExhausted ? 503 : 488
        self.detail = detail
    }

    public var description: String { "\(status) \(reason.rawValue): \(detail)" }
}
