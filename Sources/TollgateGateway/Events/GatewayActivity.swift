import TollgateModel

/// Everything the gateway decides or observes, as its ``EventStream`` carries it: published once,
/// read by any number of subscribers (the store writer, the alert sinks, the log, the console's live
/// view), none of which the message path waits for.
///
/// A call's record is here once it is durable: the answer that ends a call waits for the CDR
/// journal, never for a subscriber.
public enum GatewayActivity: Sendable {
    /// A security or operational event: drops, rejects, fraud alarms, trunk and registration changes.
    case event(GatewayEvent)
    /// A ban Shield set, to be stored and enforced by every process that shares the store.
    case ban(Ban)
    /// An account the fraud policy suspended until an operator resumes it.
    case suspension(AccountSuspension)
    /// A call ended, with its record.
    case callEnded(CallDetailRecord)
    /// A device seen through the gateway (the passive inventory), to be merged into the store's inventory.
    case sighting(DeviceSighting)
}

extension GatewayActivity {
    /// Whether this is an ``event(_:)``.
    public var isEvent: Bool {
        if case .event = self { return true }
        return false
    }
}

/// The gateway's one stream of activity.
public typealias GatewayActivityStream = EventStream<GatewayActivity>
