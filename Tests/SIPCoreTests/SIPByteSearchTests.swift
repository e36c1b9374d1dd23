import SIPCore
import Testing

@Suite("Quick byte search ignoring case")
struct SIPByteSearchTests {
    @Test("a word is found whatever the case of its letters, at either end or inside; shorter or absent text is not", arguments: [
        ("sip:+441632960000;verstat=x@h", true), ("sip:+441632960000;VerStat=x@h", true), ("VERSTAT", true), ("verstaT", true),
        ("xverstatx", true), ("sip:+441632960000@h", false), ("versta", false), ("", false), ("erstat", false),
    ])
    func findsWords(text: String, expected: Bool) {
        #expect(SIPByteSearch.mayContain(Array("verstat".utf8), in: text) == expected)
    }

    @Test("hosts are found in values and bodies and a real match is never missed; an address (no letters) matches exactly, a name may also match a byte differing only in bit 0x20", arguments: [
        ("<sip:201@10.0.0.5:5060>", "10.0.0.5", true), ("c=IN IP4 192.168.1.20\r\n", "192.168.1.20", true),
        ("<sip:201@10.0.0.6>", "10.0.0.5", false), ("PBX.Example.COM", "pbx.example.com", true),
        ("10\u{0E}0.0.5", "10.0.0.5", false), ("<sip:[2001:db8::5]:5060>", "2001:db8::5", true), ("<sip:[2001:DB8::5]>", "2001:db8::5", true),
        ("<sip:[2001:db8::6]>", "2001:db8::5", false), ("10.0.0", "10.0.0.5", false), ("pbx`example", "pbx@example", true),
        ("x10.0.0.510.0.0.5", "10.0.0.5", true),
    ])
    func findsHosts(text: String, host: String, expected: Bool) {
        #expect(SIPByteSearch.mayContain(Array(host.utf8), in: text) == expected)
    }

    @Test("an empty needle matches nothing")
    func emptyNeedle() {
        #expect(!SIPByteSearch.mayContain([], in: "anything"))
    }
}
