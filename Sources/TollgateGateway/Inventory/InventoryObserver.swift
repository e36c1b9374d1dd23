import Foundation
import SIPCore
import TollgateAudit
import TollgateModel

/// The passive inventory as an exchange observer: each phone whose REGISTER or call succeeded
/// through the gateway, the PBX and the trunks, identified from their User-Agent, Server and To-tag
/// (``DeviceFingerprints``). A new device and a firmware change are `inventory` events; sightings go
/// to the store through the event stream. Only successful exchanges count, so a scanner's made-up
/// REGISTERs never fill the inventory. Confined to the gateway's event loop.
public final class InventoryObserver: ExchangeObserver, @unchecked Sendable {
    private var inventory: PassiveInventory
    private let events: GatewayEventEmitter

    /// The methods whose success says who a device is.
    static let methods: Set<SIPMethod> = [.register, .invite, .subscribe, .message, .options]

    public init(inventory: PassiveInventory, events: GatewayEventEmitter) {
        self.inventory = inventory
        self.events = events
    }

    public func succeeded(_ exchange: SIPExchange) {
        guard let method = exchange.request.method, Self.methods.contains(method) else { return }
        let requester = DeviceAnnouncement(
            address: exchange.requester.address, ext: Self.ext(of: exchange.requester, user: (try? exchange.request.from())?.uri.unescapedUser),
            role: Self.role(of: exchange.requester), userAgent: exchange.request.userAgent)
        let to = try? exchange.response.to()
        let responder = DeviceAnnouncement(
            address: exchange.responder.address, ext: Self.ext(of: exchange.responder, user: to?.uri.unescapedUser),
            role: Self.role(of: exchange.responder), userAgent: exchange.response.userAgent, server: exchange.response.server,
            toTag: to?.tag)
        for announcement in [requester, responder] {
            guard let observation = inventory.observe(announcement, at: exchange.time) else { continue }
            events.publish(.sighting(observation.sighting))
            report(observation)
        }
    }

    private func report(_ observation: PassiveInventory.Observation) {
        let sighting = observation.sighting
        let what = [sighting.vendor, sighting.model].compactMap { $0 }.joined(separator: " ")
        let device = (what.isEmpty ? (sighting.userAgent.map { "\"\($0)\"" } ?? "an unidentified device") : what)
            + (sighting.firmware.map { " firmware \($0)" } ?? "")
        let place = sighting.ext.isEmpty ? "\(sighting.role.rawValue) at \(sighting.address)" : "extension \(sighting.ext) at \(sighting.address)"
        switch observation.change {
        case .new:
            events.emit(.inventory, address: sighting.address, rule: "new-device", detail: "new device: \(device), \(place)")
        case .firmwareChanged(let from, let to):
            events.emit(.inventory, address: sighting.address, rule: "firmware-changed",
                        detail: "firmware changed from \(from ?? "unknown") to \(to ?? "unknown"): \(what.isEmpty ? "device" : what), \(place)",
                        severity: .info)
        case .seen:
            break
        }
    }

    static func role(of party: ExchangeParty) -> InventoryDevice.Role {
        switch (party.zone, party.trunk) {
        case (.internal, _): .pbx
        case (.external, .some): .trunk
        case (.external, .none): .phone
        }
    }

    /// A phone is known by its extension; a PBX or a trunk by its address alone.
    static func ext(of party: ExchangeParty, user: String?) -> String {
        guard role(of: party) == .phone, let user else { return "" }
        return String(String.UnicodeScalarView(user.unicodeScalars.filter { $0.properties.generalCategory != .control }).prefix(64))
    }
}
