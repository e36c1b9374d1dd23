import Testing
import TollgateModel

@Suite("IPAddress")
struct SourceAddressTests {
    @Test("IPv4 and IPv6 literals round-trip to canonical text", arguments: [
        ("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
        ("::1", "::1"), ("::", "::"), ("2001:DB8::1", "2001:db8::1"), ("[2001:db8::1]", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("fe80::1:2", "fe80::1:2"),
        ("::ffff:192.0.2.1", "192.0.2.1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("2001:db8::", "2001:db8::"),
    ])
    func roundTrip(input: String, canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test("Anything but an IP literal is refused", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "example.com", ":::", "1::2::3",
        "1:2:3:4:5:6:7:8:9", "12345::", "1.2.3.4:5060", "::1%eth0", "1:2:3:4:5:6:7::8:9",
    ])
    func refused(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test("An IPv4 address and its IPv4-mapped IPv6 form are the same key")
    func mappedEqualsIPv4() {
        #expect(IPAddress("10.1.2.3") == IPAddress("::ffff:10.1.2.3"))
        #expect(IPAddress(ipv4: 0x7F00_0001) == IPAddress("127.0.0.1"))
        #expect(IPAddress("10.1.2.3")?.isIPv4 == true)
        #expect(IPAddress("::1")?.isIPv4 == false)
    }
}
