import Foundation
import Testing
import TollgateModel

@testable import TollgateAudit

@Suite("Passive inventory: new devices, firmware changes, and no write per message")
struct PassiveInventoryTests {
    let fingerprints: DeviceFingerprints
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    init() throws {
        fingerprints = try DeviceFingerprints.shipped()
    }

    static func phone(_ userAgent: String, ext: String = "201") -> DeviceAnnouncement {
        DeviceAnnouncement(address: "127.0.0.30", ext: ext, role: .phone, userAgent: userAgent)
    }

    @Test("a new device is new and identified; the same again is nothing until the refresh; then seen")
    func newThenQuiet() throws {
        var inventory = PassiveInventory(fingerprints: fingerprints, refresh: 600)
        let observed = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.15"), at: Self.start)
        let first = try #require(observed)
        #expect(first.change == .new)
        #expect(first.sighting.vendor == "Yealink" && first.sighting.model == "SIP-T46S" && first.sighting.firmware == "66.86.0.15")
        let again = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.15"), at: Self.start.addingTimeInterval(30))
        #expect(again == nil)
        let later = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.15"), at: Self.start.addingTimeInterval(601))
        #expect(later?.change == .seen)
    }

    @Test("another firmware is a change at once, naming both versions")
    func firmwareChange() throws {
        var inventory = PassiveInventory(fingerprints: fingerprints)
        _ = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.15"), at: Self.start)
        let observed = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.20"), at: Self.start.addingTimeInterval(5))
        let changed = try #require(observed)
        #expect(changed.change == .firmwareChanged(from: "66.86.0.15", to: "66.86.0.20"))
    }

    @Test("devices already in the store are not new after a restart; another extension at the same address is")
    func restart() throws {
        let stored = InventoryDevice(address: "127.0.0.30", ext: "201", role: .phone, userAgent: "Yealink SIP-T46S 66.86.0.15",
                                     vendor: "Yealink", model: "SIP-T46S", firmware: "66.86.0.15",
                                     firstSeen: Self.start, lastSeen: Self.start)
        var inventory = PassiveInventory(fingerprints: fingerprints, devices: [stored])
        let same = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.15"), at: Self.start.addingTimeInterval(10))
        #expect(same == nil)
        let other = inventory.observe(Self.phone("Yealink SIP-T46S 66.86.0.15", ext: "202"), at: Self.start.addingTimeInterval(10))
        #expect(other?.change == .new)
    }

    @Test("memory stays bounded, and what a device announces is kept printable and short")
    func bounded() throws {
        var inventory = PassiveInventory(fingerprints: fingerprints, capacity: 100)
        for index in 0..<1_000 {
            _ = inventory.observe(Self.phone("Zoiper rev.\(index)", ext: "\(index)"), at: Self.start.addingTimeInterval(Double(index)))
        }
        #expect(inventory.count <= 100)
        let observed = inventory.observe(Self.phone("evil\u{1B}[2J" + String(repeating: "x", count: 500), ext: "x"), at: Self.start)
        let odd = try #require(observed)
        #expect(odd.sighting.userAgent?.count == 200 && odd.sighting.userAgent?.contains("\u{1B}") == false)
        #expect(odd.identity == nil)
    }
}
