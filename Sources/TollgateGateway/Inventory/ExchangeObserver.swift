import Foundation
import SIPCore

/// One side of a relayed exchange: where it is and what it is.
public struct ExchangeParty: Sendable, Hashable {
    /// The address (IP text).
    public var address: String
    public var zone: GatewayZone
    /// The trunk, when the party is one.
    public var trunk: String?

    public init(address: String, zone: GatewayZone, trunk: String?) {
        self.address = address
        self.zone = zone
        self.trunk = trunk
    }
}

/// A request the gateway relayed and the success (2xx) it got: both sides proved themselves (the PBX
/// accepted the phone's credentials, the callee answered), so what they announced is worth keeping.
public struct SIPExchange: Sendable {
    /// The request as it arrived from the requester.
    public var request: SIPMessage
    /// The response as it arrived from the responder.
    public var response: SIPMessage
    public var requester: ExchangeParty
    public var responder: ExchangeParty
    public var time: Date
}

/// Watches the exchanges the gateway relays with success, without taking part in them: the passive
/// inventory is one. Runs on the event loop, must not block; nothing it does changes a message.
public protocol ExchangeObserver: AnyObject {
    func succeeded(_ exchange: SIPExchange)
}

/// The observers of a proxy, told in the order they were added.
final class ExchangeObservers {
    private(set) var observers: [any ExchangeObserver] = []

    var isEmpty: Bool { observers.isEmpty }

    func add(_ observer: any ExchangeObserver) {
        observers.append(observer)
    }

    func tell(_ exchange: SIPExchange) {
        for observer in observers { observer.succeeded(exchange) }
    }
}
