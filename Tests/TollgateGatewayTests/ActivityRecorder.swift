import TollgateModel

@testable import TollgateGateway

/// Reads a proxy's event stream as the tests run: a collection of the events published so far,
/// with the bans, suspensions and call records beside them.
final class ActivityRecorder: RandomAccessCollection {
    private let subscription: EventSubscription<GatewayActivity>
    private var taken: [GatewayActivity] = []

    init(_ proxy: SIPProxy) {
        subscription = proxy.activity.subscribe("test", bufferSize: 1_000_000)
    }

    /// Everything published so far, in order.
    var all: [GatewayActivity] {
        taken += subscription.takeBuffered()
        return taken
    }

    var events: [GatewayEvent] { all.compactMap { if case .event(let event) = $0 { event } else { nil } } }
    var bans: [Ban] { all.compactMap { if case .ban(let ban) = $0 { ban } else { nil } } }
    var suspensions: [AccountSuspension] { all.compactMap { if case .suspension(let suspension) = $0 { suspension } else { nil } } }
    var records: [CallDetailRecord] { all.compactMap { if case .callEnded(let record) = $0 { record } else { nil } } }

    /// Forgets what was published so far.
    func removeAll() {
        _ = all
        taken.removeAll()
    }

    var startIndex: Int { 0 }
    var endIndex: Int { events.count }
    subscript(position: Int) -> GatewayEvent { events[position] }
}
