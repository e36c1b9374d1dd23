import Foundation
import Logging
import TollgateModel

/// Where the proxy and its call hooks report what they decide: each event is counted, logged at
/// debug level, held back when it repeats (at most a few per kind, source and rule in ten seconds;
/// bans, reloads, trunk and registration changes always go through, and the held-back count rides
/// along with the next one), and published on the gateway's ``EventStream``. Confined to the event loop.
public final class GatewayEventEmitter: @unchecked Sendable {
    /// The stream everything is published on.
    public let stream: GatewayActivityStream
    let metrics: GatewayMetrics
    private var throttle = EventThrottle()
    private let logger: Logger
    /// Seconds since 1970; replaced in tests.
    var clock: () -> Double

    init(stream: GatewayActivityStream, metrics: GatewayMetrics, logger: Logger, clock: @escaping () -> Double) {
        self.stream = stream
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    static let unthrottledKinds: Set<GatewayEvent.Kind> = [
        .ban, .reload, .trunkUp, .trunkDown, .failover, .pbxUnreachable, .registered, .registrationFailed, "account-attack",
    ]

    /// Counts an event and publishes it, unless it is one too many like it just now.
    public func emit(_ kind: GatewayEvent.Kind, address: String, rule: String, detail: String, severity: SecurityEvent.Severity = .notice) {
        metrics.event(kind, rule: rule)
        var detail = detail
        let now = clock()
        if !Self.unthrottledKinds.contains(kind) {
            let (admitted, suppressed) = throttle.admit(EventThrottle.Key(kind: kind.rawValue, source: address, rule: rule), now: now)
            guard admitted else { return }
            if suppressed > 0 { detail += " (and \(suppressed) more like it not shown)" }
        }
        let event = GatewayEvent(kind: kind, source: address, rule: rule, detail: detail, severity: severity,
                                 time: Date(timeIntervalSince1970: now))
        logger.debug("gateway event", metadata: ["kind": "\(kind.rawValue)", "source": "\(address)", "rule": "\(rule)", "detail": "\(detail)"])
        stream.publish(.event(event))
    }

    /// Publishes something other than an event (a ban, a suspension, a call's record) as it is.
    public func publish(_ activity: GatewayActivity) {
        stream.publish(activity)
    }

    /// Forgets repeats older than the throttle's window.
    func sweep() {
        throttle.sweep(now: clock())
    }
}
