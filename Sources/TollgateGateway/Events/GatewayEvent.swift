import Foundation
import TollgateModel

/// Something the gateway did that an operator should see: a drop, a reject, a ban, a failover, a
/// trunk going down, a registration. Published as ``GatewayActivity/event(_:)`` on the gateway's
/// ``EventStream``; the store, the alert sinks and the log read it there, and the message path never waits.
public struct GatewayEvent: Sendable, Hashable {
    /// A stable kind, used in logs, metrics and the event store.
    public struct Kind: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        public static let malformed: Kind = "malformed"
        public static let invalid: Kind = "invalid"
        public static let unknownSource: Kind = "unknown-source"
        public static let noRoute: Kind = "no-route"
        public static let failover: Kind = "failover"
        public static let trunkDown: Kind = "trunk-down"
        public static let trunkUp: Kind = "trunk-up"
        public static let pbxUnreachable: Kind = "pbx-unreachable"
        public static let strayResponse: Kind = "stray-response"
        public static let unknownDialog: Kind = "unknown-dialog"
        public static let loop: Kind = "loop"
        /// A Shield ban.
        public static let ban: Kind = "ban"
        /// Rules reloaded, or a reload refused.
        public static let reload: Kind = "reload"
        /// A trunk accepted Tollgate's registration (first time, or again after a failure).
        public static let registered: Kind = "registered"
        /// A registration with a trunk failed (refused, unanswered, credentials rejected); a retry is scheduled.
        public static let registrationFailed: Kind = "registration-failed"
        /// A fraud rule crossed its warning or critical level (the rule names which).
        public static let fraud: Kind = "fraud"
        /// The fraud policy suspended an account until an operator resumes it.
        public static let accountSuspended: Kind = "account-suspended"
        /// A journal on the local disk (calls in progress) cannot be written.
        public static let journal: Kind = "journal"
        /// The passive inventory: a device seen for the first time, or with another firmware.
        public static let inventory: Kind = "inventory"
        /// A call's caller identity verdict (STIR/SHAKEN): verified, failed or absent.
        public static let identity: Kind = "identity"
        /// A call from outside claims one of the company's own numbers, or a VIP's, without full attestation.
        public static let callerIDSpoofed: Kind = "caller-id-spoofed"
        /// "Divert now" switched on or off: inbound calls go to the fallback, or to the PBX again.
        public static let divert: Kind = "divert"
    }

    public var kind: Kind
    /// The address the event is about (IP text, no port), or "" for none.
    public var source: String
    public var rule: String
    public var detail: String
    public var severity: SecurityEvent.Severity
    /// When it happened.
    public var time: Date

    public init(kind: Kind, source: String, rule: String, detail: String, severity: SecurityEvent.Severity = .notice, time: Date = Date()) {
        self.kind = kind
        self.time = time
        self.source = source
        self.rule = rule
        self.detail = detail
        self.severity = severity
    }
}

extension SecurityEvent {
    /// The event as the store and the alert sinks keep it.
    public init(_ event: GatewayEvent) {
        self.init(time: event.time, kind: event.kind.rawValue, source: event.source, rule: event.rule, detail: event.detail,
                  severity: event.severity)
    }
}
