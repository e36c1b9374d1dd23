import SIPCore
import SIPTransport

/// The proxy's hold on one trunk registration: the state machine, what stays the same in every
/// REGISTER it sends (Call-ID, From tag, address of record, Contact), the client transaction
/// carrying the current request, and the refresh or retry timer. Confined to the event loop.
final class RegistrationSlot {
    var machine: TrunkRegistration
    let trunk: ProxySettings.Trunk
    /// The listener REGISTERs leave from (an external one of the trunk's transport).
    let listener: SIPListenerSpec?
    /// `<sip:username@trunk-host>`, the From and To.
    let addressOfRecord: String
    let fromTag: String
    let callID: String
    /// Tollgate's Contact for the binding, on the external listener's advertised address.
    let contact: SIPURI
    var client: ClientTransaction?
    var timer: TimerWheel.Handle?

    init(machine: TrunkRegistration, trunk: ProxySettings.Trunk, listener: SIPListenerSpec?, addressOfRecord: String, fromTag: String,
         callID: String, contact: SIPURI) {
        self.machine = machine
        self.trunk = trunk
        self.listener = listener
        self.addressOfRecord = addressOfRecord
        self.fromTag = fromTag
        self.callID = callID
        self.contact = contact
    }
}
