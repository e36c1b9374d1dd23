import Testing

@testable import TollgateAudit

@Suite("Device fingerprints: vendor, model and firmware from what devices announce")
struct DeviceFingerprintsTests {
    let fingerprints: DeviceFingerprints

    init() throws {
        fingerprints = try DeviceFingerprints.shipped()
    }

    @Test("User-Agent and Server shapes of each vendor", arguments: [
        ("Yealink SIP-T46S 66.86.0.15", "Yealink", "Yealink", "SIP-T46S", "66.86.0.15"),
        ("Yealink W60B 77.83.0.85", "Yealink", "Yealink", "W60B", "77.83.0.85"),
        ("PolycomVVX-VVX_411-UA/6.4.3.5156", "Poly", "Poly VVX", "411", "6.4.3.5156"),
        ("PolycomSoundPointIP-SPIP_550-UA/4.0.15.1009", "Poly", "Poly SoundPoint", "550", "4.0.15.1009"),
        ("Cisco/SPA504G-7.6.2c", "Cisco", "Cisco SPA", "SPA504G", "7.6.2c"),
        ("Cisco-ATA191-MPP/11-1-0MSR3-9", "Cisco", "Cisco ATA", "ATA191-MPP", "11-1-0MSR3-9"),
        ("Grandstream GXP1450 1.0.3.30", "Grandstream", "Grandstream", "GXP1450", "1.0.3.30"),
        ("Grandstream HT701 1.0.8.2", "Grandstream", "Grandstream", "HT701", "1.0.8.2"),
        ("Grandstream UCM6202 1.0.20.31", "Grandstream", "Grandstream UCM", "UCM6202", "1.0.20.31"),
        ("snomD785/10.1.84.12", "Snom", "Snom", "D785", "10.1.84.12"),
        ("Fanvil X303 2.12.18.9 0c383e63963b", "Fanvil", "Fanvil", "X303", "2.12.18.9"),
        ("Mitel 6930/6.4.0.132", "Mitel", "Mitel", "6930", "6.4.0.132"),
        ("Aastra 6731i/3.2.2.3077", "Mitel", "Aastra", "6731i", "3.2.2.3077"),
        ("Avaya one-X Deskphone 7.1.15.1.3 00:1b:4f:aa:bb:cc", "Avaya", "Avaya", "one-X Deskphone", "7.1.15.1.3"),
        ("Gigaset N510 IP PRO/42.250.00.000.000", "Gigaset", "Gigaset", "N510 IP PRO", "42.250.00.000.000"),
        ("OBIHAI/OBi202-3.2.2.5921", "Obihai", "Obihai", "OBi202", "3.2.2.5921"),
        ("Asterisk PBX 20.9.2", "Sangoma", "Asterisk", nil, "20.9.2"),
        ("FPBX-16.0.40(20.9.2)", "Sangoma", "FreePBX", nil, "16.0.40"),
        ("FreeSWITCH-mod_sofia/1.10.12-release~64bit", "SignalWire", "FreeSWITCH", nil, "1.10.12"),
        ("3CXPhoneSystem 20.0.9.995 (995)", "3CX", "3CX", nil, "20.0.9.995"),
        ("kamailio (5.6.3 (x86_64/linux))", "Kamailio", "Kamailio", nil, "5.6.3"),
        ("OpenSIPS (3.4.2 (x86_64/linux))", "OpenSIPS", "OpenSIPS", nil, "3.4.2"),
        ("Zoiper rev.20012", "Zoiper", "Zoiper", nil, "20012"),
        ("Z 5.6.1 v2.10.19.5", "Zoiper", "Zoiper", nil, "5.6.1"),
        ("LinphoneiOS/4.3.0 (iPhone) LinphoneSDK/4.4.0", "Belledonne", "Linphone", nil, "4.3.0"),
        ("MicroSIP/3.21.5", "MicroSIP", "MicroSIP", nil, "3.21.5"),
        ("Bria 3 release 3.5.5 stamp 71243", "CounterPath", "Bria", "Bria 3", "3.5.5"),
    ] as [(String, String, String, String?, String)])
    func userAgents(userAgent: String, vendor: String, product: String, model: String?, firmware: String) throws {
        let identity = try #require(fingerprints.identify(userAgent: userAgent), "\(userAgent)")
        #expect(identity.vendor == vendor && identity.product == product, "\(identity)")
        #expect(identity.model == model, "\(identity)")
        #expect(identity.firmware == firmware, "\(identity)")
        #expect(!identity.source.isEmpty)
    }

    @Test("a Server header identifies a PBX that answers; a hidden version still gives the vendor")
    func serverAndHidden() throws {
        #expect(fingerprints.identify(server: "Asterisk PBX 22.1.0")?.firmware == "22.1.0")
        let hidden = try #require(fingerprints.identify(userAgent: "Asterisk"))
        #expect(hidden.product == "Asterisk" && hidden.firmware == nil && hidden.confidence == .low)
    }

    @Test("To-tag shapes, the 3CX realm and the Grandstream header identify what hides its User-Agent")
    func otherShapes() {
        #expect(fingerprints.identify(toTag: "as1f2e3d4c")?.product == "Asterisk")
        #expect(fingerprints.identify(toTag: "plcm_12345-67")?.vendor == "Poly")
        #expect(fingerprints.identify(toTag: "0123456789abcdefi0")?.product == "Cisco SPA")
        #expect(fingerprints.identify(realm: "3CXPhoneSystem")?.product == "3CX")
        #expect(fingerprints.identify(headerNames: ["Via", "X-Grandstream-PBX"])?.product == "Grandstream UCM")
        #expect(fingerprints.identify(allow: "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY, PUBLISH, SUBSCRIBE")?.product
                == "FreeSWITCH")
        #expect(fingerprints.identify(allow: "INVITE,ACK,CANCEL,OPTIONS,BYE,REFER,SUBSCRIBE,NOTIFY,INFO,PUBLISH,MESSAGE")?.product == "Asterisk")
        #expect(fingerprints.identify(userAgent: "Something Else 1.0", toTag: "7f3a", allow: "INVITE, BYE") == nil)
    }

    @Test("the shipped file covers the vendors an office has, each rule with a source")
    func coverage() {
        let vendors = Set(fingerprints.rules.map(\.vendor))
        for vendor in ["Yealink", "Poly", "Cisco", "Grandstream", "Snom", "Fanvil", "Mitel", "Avaya", "Gigaset", "Obihai", "Sangoma",
                       "SignalWire", "3CX", "Kamailio", "OpenSIPS", "Zoiper", "Belledonne", "MicroSIP", "CounterPath"] {
            #expect(vendors.contains(vendor), "\(vendor)")
        }
        #expect(fingerprints.rules.allSatisfy { !$0.source.isEmpty })
    }

    @Test("a bad line is refused with its line number")
    func badFile() {
        #expect(throws: DeviceFingerprints.FormatError.self) {
            try DeviceFingerprints(text: "# c\nuser-agent | X | X | phone | ( | high | s\n")
        }
        do {
            _ = try DeviceFingerprints(text: "\nuser-agent | X | X | robot | ^x | high | s\n")
        } catch {
            #expect(error.line == 2 && error.message.contains("robot"))
        }
    }
}
