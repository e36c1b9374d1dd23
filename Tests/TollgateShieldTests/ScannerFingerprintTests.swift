import SIPCore
import Testing
@testable import TollgateShield

@Suite("Scanner fingerprints")
struct ScannerFingerprintTests {
    @Test("The shipped file loads and names the tools the threat feeds list")
    func shippedFileLoads() throws {
        let fingerprints = try ScannerFingerprints.shipped()
        let tools = Set(fingerprints.signatures.map(\.tool))
        for tool in ["sipvicious", "sipcli", "VaxSIPUserAgent", "sundayddr", "iWar", "SIVuS", "smap", "Gulp", "sipsak"] {
            #expect(tools.contains(tool), "missing \(tool)")
        }
    }

    @Test("SIPVicious's User-Agent blocks, case-insensitively", arguments: ["friendly-scanner", "Friendly-Scanner/1.0", "sipcli/v1.8", "VaxSIPUserAgent/3.1"])
    func userAgentBlocks(agent: String) throws {
        let fingerprints = try ScannerFingerprints.shipped()
        let match = try #require(fingerprints.match(ShieldFixture.request("OPTIONS", userAgent: agent)))
        #expect(match.action == .block)
        #expect(match.evidence.hasPrefix("User-Agent: "))
    }

    @Test("A spoofed User-Agent is still caught by SIPVicious's From display name")
    func fromNameBlocks() throws {
        let fingerprints = try ScannerFingerprints.shipped()
        let match = try #require(fingerprints.match(ShieldFixture.request("OPTIONS", fromName: "sipvicious")))
        #expect(match.tool == "sipvicious")
    }

    @Test("Ordinary phones match nothing", arguments: ["Yealink SIP-T46S 66.86.0.15", "Zoiper rv2.10.20.4", "Asterisk PBX 20.5.0", "Linphone/5.2"])
    func phonesPass(agent: String) throws {
        #expect(try ScannerFingerprints.shipped().match(ShieldFixture.request("REGISTER", userAgent: agent)) == nil)
    }

    @Test("sipsak is a signal, not a block, because it is also a test tool")
    func sipsakSignals() throws {
        let match = try #require(try ScannerFingerprints.shipped().match(ShieldFixture.request("OPTIONS", userAgent: "sipsak 0.9.8")))
        #expect(match.action == .signal)
    }

    @Test("A regular expression signature matches the Via branch shape SIPVicious uses")
    func regexSignature() throws {
        let fingerprints = try ScannerFingerprints(parsing: "sv signal Via ~branch=z9hG4bK-\\d+(;|$)\n", source: "t")
        let shaped = ShieldFixture.request("OPTIONS", extra: "")
        #expect(fingerprints.match(shaped) == nil)
        let text = String(decoding: shaped.serialized(), as: UTF8.self).replacingOccurrences(of: "branch=z9hG4bKtest", with: "branch=z9hG4bK-")
        #expect(fingerprints.match(try SIPMessage(parsing: Array(text.utf8)))?.tool == "sv")
    }

    @Test("Operators' files extend the shipped set, and errors name the line", arguments: [
        ("tool block", "t:1"), ("tool deny User-Agent x", "t:1"), ("# c\n\ntool block User-Agent", "t:3"), ("tool block Via ~(", "t:1"),
    ])
    func badFiles(text: String, origin: String) {
        #expect(throws: ScannerFingerprints.FormatError.self) { try ScannerFingerprints(parsing: text, source: "t") }
        do {
            _ = try ScannerFingerprints(parsing: text, source: "t")
        } catch {
            #expect(error.origin == origin)
        }
    }

    @Test("An operator's signature is used after the shipped ones")
    func extend() throws {
        var fingerprints = try ScannerFingerprints.shipped()
        fingerprints.append(contentsOf: try ScannerFingerprints(parsing: "badbot block User-Agent EvilDialer\n", source: "extra"))
        #expect(fingerprints.match(ShieldFixture.request("INVITE", userAgent: "EvilDialer 2.0"))?.tool == "badbot")
    }
}
