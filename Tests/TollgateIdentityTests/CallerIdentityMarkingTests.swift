import SIPCore
import Testing
@testable import TollgateIdentity

@Suite("Caller identity marking: verstat from outside")
struct CallerIdentityMarkingTests {
    private func invite(from: String, pai: String? = nil) throws -> SIPMessage {
        var text = "INVITE sip:201@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.10;branch=z9hG4bK1\r\nFrom: \(from);tag=1\r\n"
        if let pai { text += "P-Asserted-Identity: \(pai)\r\n" }
        text += "To: <sip:201@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        return try SIPMessage(parsing: Array(text.utf8))
    }

    @Test("a forged verstat in From or P-Asserted-Identity is removed, in any case of letters")
    func removesForgedVerstat() throws {
        var message = try invite(from: "<sip:+441632960000;VERSTAT=TN-Validation-Passed@127.0.0.10>",
                                 pai: "<sip:+441632960000;verstat=TN-Validation-Passed@127.0.0.10>")
        #expect(CallerIdentityMarking.removeVerstat(from: &message))
        #expect(message.firstValue(of: .from)?.lowercased().contains("verstat") == false)
        #expect(message.firstValue(of: .pAssertedIdentity)?.contains("verstat") == false)
    }

    @Test("an INVITE without verstat is left exactly as it came")
    func leavesOthersAlone() throws {
        var message = try invite(from: "\"Ann\" <sip:+441632960000@127.0.0.10>")
        let before = message.serialized()
        #expect(!CallerIdentityMarking.removeVerstat(from: &message))
        #expect(message.serialized() == before)
    }
}
