import Foundation
import NIOCore
import SIPCore
import SIPTransport
import Testing
import TollgateAudit
import TollgateModel

@testable import TollgateGateway

/// The passive inventory in the proxy: only successful exchanges put devices in it.
@Suite("Passive inventory through the proxy")
struct InventoryObserverTests {
    let harness: ProxyHarness
    let recorder: ActivityRecorder

    init() throws {
        harness = try ProxyHarness(yaml: RemotePhoneTests.yaml)
        recorder = ActivityRecorder(harness.proxy)
        let fingerprints = try DeviceFingerprints.shipped()
        harness.proxy.addExchangeObserver(InventoryObserver(inventory: PassiveInventory(fingerprints: fingerprints), events: harness.proxy.events))
    }

    var sightings: [DeviceSighting] { recorder.all.compactMap { if case .sighting(let sighting) = $0 { sighting } else { nil } } }

    func register(userAgent: String, answer status: Int, pbxServer: String = "Asterisk PBX 20.9.2") throws {
        let branch = "z9hG4bKreg-\(UUID().uuidString.prefix(8))"
        let text = RemotePhoneTests.register.replacingOccurrences(of: "Content-Length: 0", with: "User-Agent: \(userAgent)\r\nContent-Length: 0")
            .replacingOccurrences(of: "z9hG4bKreg1", with: branch)
        harness.deliver(text, from: RemotePhoneTests.phone)
        let forwarded = try #require(harness.outbound.take().first { $0.message.method == .register })
        var answer = ProxyHarness.answer(forwarded.message, status: status)
        answer.insertHeader(.server, pbxServer, at: 1)
        harness.deliver(answer, from: ProxyHarness.pbx)
        _ = harness.outbound.take()
    }

    @Test("a phone whose REGISTER the PBX accepts is in the inventory with vendor, model and firmware; so is the PBX")
    func accepted() throws {
        try register(userAgent: "Yealink SIP-T46S 66.86.0.15", answer: 200)
        let phone = try #require(sightings.first { $0.role == .phone })
        #expect(phone.address == "127.0.0.77" && phone.ext == "204")
        #expect(phone.vendor == "Yealink" && phone.model == "SIP-T46S" && phone.firmware == "66.86.0.15")
        let pbx = try #require(sightings.first { $0.role == .pbx })
        #expect(pbx.address == "127.0.0.20" && pbx.ext == "" && pbx.vendor == "Sangoma" && pbx.firmware == "20.9.2")
        let events = recorder.events.filter { $0.kind == .inventory }
        #expect(events.count == 2 && events.allSatisfy { $0.rule == "new-device" })
        #expect(events.contains { $0.detail.contains("Yealink SIP-T46S firmware 66.86.0.15, extension 204 at 127.0.0.77") })
    }

    @Test("a REGISTER the PBX refuses (a scanner's made-up extension) adds nothing")
    func refused() throws {
        try register(userAgent: "Yealink SIP-T46S 66.86.0.15", answer: 401)
        try register(userAgent: "friendly-scanner", answer: 404)
        #expect(sightings.isEmpty)
        #expect(recorder.events.filter { $0.kind == .inventory }.isEmpty)
    }

    @Test("the same phone again is not written again; new firmware is a firmware-changed event")
    func firmware() throws {
        try register(userAgent: "Yealink SIP-T46S 66.86.0.15", answer: 200)
        try register(userAgent: "Yealink SIP-T46S 66.86.0.15", answer: 200)
        #expect(sightings.count == 2, "phone and PBX once")
        try register(userAgent: "Yealink SIP-T46S 66.86.0.20", answer: 200)
        let changed = recorder.events.filter { $0.kind == .inventory && $0.rule == "firmware-changed" }
        #expect(changed.count == 1 && changed[0].detail.contains("from 66.86.0.15 to 66.86.0.20"))
    }

    @Test("a call from the trunk answered by the PBX records the trunk and the PBX")
    func trunkCall() throws {
        let invite = ProxyHarness.invite(branch: "z9hG4bKinv-inventory", callID: "inventory-call")
            .replacingOccurrences(of: "Content-Length: 0", with: "User-Agent: kamailio (5.6.3 (x86_64/linux))\r\nContent-Length: 0")
        harness.deliver(invite, from: ProxyHarness.carrier)
        let forwarded = try #require(harness.outbound.take().first { $0.peer == ProxyHarness.pbx })
        var ok = ProxyHarness.answer(forwarded.message, status: 200, contact: "<sip:201@127.0.0.20:5080>")
        ok.insertHeader(.server, "FPBX-16.0.40(20.9.2)", at: 1)
        harness.deliver(ok, from: ProxyHarness.pbx)
        let trunk = try #require(sightings.first { $0.role == .trunk })
        #expect(trunk.address == "127.0.0.10" && trunk.vendor == "Kamailio" && trunk.firmware == "5.6.3")
        #expect(sightings.first { $0.role == .pbx }?.model == nil && sightings.first { $0.role == .pbx }?.firmware == "16.0.40")
    }
}
