import Foundation
import Metrics
import NIOCore
import SIPCore
import TollgateConfig
import TollgateIdentity
import TollgateModel

/// Caller identity as a call hook, for calls from trunks: verifies the STIR/SHAKEN PASSporT
/// (fetching a certificate not yet cached within the call's budget, in ``prepare(_:)``), screens the
/// caller ID for the company's own numbers and VIPs, writes the verdict to the CDR and the events,
/// tells the PBX with `verstat`, and applies the trunk's policy (continue, tag, reject with RFC 8224's
/// status). A `verstat` that came from outside never reaches the PBX. Its rules can be replaced
/// while the gateway runs (SIGHUP); with none it lets every call pass untouched. Confined to the
/// gateway's event loop.
public final class IdentityCallHook: CallHook, @unchecked Sendable {
    public let name = "identity"

    /// What the hook runs with: built from the `identity:` section and the trunks' policies.
    public struct Rules {
        /// nil when no trust anchors are configured (only the caller-ID screen runs).
        public var verifier: CallerIdentityVerifier?
        public var screen: CallerIDScreen
        public var config: IdentityConfig
        public var trunks: [String: TrunkPolicy]

        public init(verifier: CallerIdentityVerifier?, screen: CallerIDScreen, config: IdentityConfig, trunks: [String: TrunkPolicy]) {
            self.verifier = verifier
            self.screen = screen
            self.config = config
            self.trunks = trunks
        }
    }

    /// How calls from one trunk are handled.
    public struct TrunkPolicy: Sendable, Hashable {
        public var onFailure: IdentityConfig.Policy
        /// Whether a call without an Identity header counts as failed (428).
        public var required: Bool

        public init(onFailure: IdentityConfig.Policy = .continue, required: Bool = false) {
            self.onFailure = onFailure
            self.required = required
        }
    }

    /// nil: nothing configured, every call passes untouched.
    public private(set) var rules: Rules?
    private let events: GatewayEventEmitter
    /// Calls claiming an own number or a VIP, per source (bounded: the most recent sources).
    private(set) var spoofedBySource: [String: Int] = [:]
    private static let spoofedSourcesKept = 10_000

    public init(rules: Rules?, events: GatewayEventEmitter) {
        self.rules = rules
        self.events = events
    }

    /// - Parameter verifier: nil when no trust anchors are configured (only the caller-ID screen runs).
    public convenience init(verifier: CallerIdentityVerifier?, screen: CallerIDScreen, config: IdentityConfig, trunks: [String: TrunkPolicy],
                            events: GatewayEventEmitter) {
        self.init(rules: Rules(verifier: verifier, screen: screen, config: config, trunks: trunks), events: events)
    }

    /// Takes new rules (a reload); calls already waiting for a certificate are judged by the new ones.
    public func replace(_ rules: Rules?) {
        self.rules = rules
    }

    public func prepare(_ call: CallStart) -> EventLoopFuture<Void>? {
        guard call.zone == .external, call.trunk != nil, let verifier = rules?.verifier else { return nil }
        return verifier.prepare(IdentityCall(invite: call.request), now: call.time)
    }

    public func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict {
        guard call.zone == .external else { return .proceed }
        // Whatever comes from outside, a PBX must never see a `verstat` Tollgate did not write (a
        // remote phone's, or a trunk's when identity is not verified).
        var invite = call.request
        let forged = CallerIdentityMarking.removeVerstat(from: &invite)
        guard let trunk = call.trunk, let rules else {
            if forged { call.request = invite }
            return .proceed
        }
        let (verifier, screen, config, trunks) = (rules.verifier, rules.screen, rules.config, rules.trunks)
        let claims = IdentityCall(invite: call.request)
        let verdict = verifier?.verify(claims, now: call.time)
        let policy = trunks[trunk] ?? TrunkPolicy()
        var tag: String?
        var refusal: CallHookVerdict?

        if let verdict {
            record.identity = verdict.recordValue
            report(verdict, call: call, trunk: trunk, to: record.to)
            switch verdict {
            case .failed(let failure):
                switch policy.onFailure {
                case .continue: break
                case .tag: tag = config.tagPrefix
                case .reject:
                    refusal = .refuse(status: failure.status, reason: "caller identity failed: \(failure)", phrase: failure.reasonPhrase)
                }
            case .absent where policy.required:
                switch policy.onFailure {
                case .continue: break
                case .tag: tag = config.tagPrefix
                case .reject: refusal = .refuse(status: 428, reason: "no Identity header from a trunk that must sign")
                }
            default:
                break
            }
        }
        if let claim = screen.suspicious(callers: claims.callers, verdict: verdict ?? .absent) {
            let count = spoofed(from: call.source)
            record.identity = (record.identity ?? "unverified") + ";spoofed=\(claim.rawValue)"
            Counter(label: "tollgate_identity_spoofed_caller_total", dimensions: [("claim", claim.rawValue), ("trunk", trunk)]).increment()
            let shown = claims.callers.first ?? ""
            events.emit(.callerIDSpoofed, address: call.source, rule: "caller-id-\(claim.rawValue)",
                        detail: "call from trunk \(trunk) shows \(shown), \(claim == .vip ? "a listed VIP" : "one of the company's own numbers"), "
                            + "without full attestation (\(verdict?.description ?? "not verified")); \(count) such call\(count == 1 ? "" : "s") from this source",
                        severity: .warning)
            switch config.spoofedAction {
            case .continue: break
            case .tag: tag = config.spoofedTagPrefix
            case .reject: refusal = refusal ?? .refuse(status: 403, reason: "caller ID claims \(claim.rawValue) \(shown)")
            }
        }
        if let refusal {
            record.rule = "identity"
            return refusal
        }
        if let verdict, config.verstat != .off {
            CallerIdentityMarking.addVerstat(verdict.verstat, placement: config.verstat == .pai ? .assertedIdentity : .from, to: &invite)
        }
        if let tag { CallerIdentityMarking.prefixDisplayName(tag, in: &invite) }
        call.request = invite
        return .proceed
    }

    private func report(_ verdict: IdentityVerdict, call: CallStart, trunk: String, to: String) {
        let label: String
        let severity: SecurityEvent.Severity
        switch verdict {
        case .verified(let level):
            label = "verified"
            severity = .info
            Counter(label: "tollgate_identity_verdicts_total", dimensions: [("verdict", "verified"), ("attestation", level.rawValue)]).increment()
        case .failed(let failure):
            label = "failed"
            severity = .warning
            Counter(label: "tollgate_identity_verdicts_total", dimensions: [("verdict", "failed"), ("reason", failure.rawValue)]).increment()
        case .absent:
            label = "absent"
            severity = .info
            Counter(label: "tollgate_identity_verdicts_total", dimensions: [("verdict", "absent")]).increment()
        }
        let rule: String = switch verdict {
        case .failed(let failure): "identity-\(failure.rawValue)"
        default: "identity-\(label)"
        }
        events.emit(.identity, address: call.source, rule: rule, detail: "call from trunk \(trunk) to \(to): \(verdict)", severity: severity)
    }

    private func spoofed(from source: String) -> Int {
        if spoofedBySource[source] == nil, spoofedBySource.count >= Self.spoofedSourcesKept {
            spoofedBySource.removeAll(keepingCapacity: true)
        }
        spoofedBySource[source, default: 0] += 1
        return spoofedBySource[source] ?? 1
    }
}
