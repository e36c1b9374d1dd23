import Testing

import TollgateModel

@Suite("The IPv4/IPv6 text parser")
struct IPAddressTests {
    @Test(
        "IPv4 dotted quads parse to four bytes",
        arguments: [
            ("0.0.0.0", [0, 0, 0, 0]),
            ("127.0.0.1", [127, 0, 0, 1]),
            ("192.0.2.255", [192, 0, 2, 255]),
            ("255.255.255.255", [255, 255, 255, 255]),
        ] as [(String, [UInt8])])
    func ipv4Parses(text: String, bytes: [UInt8]) {
        #expect(IPAddress.parseIPv4(text) == bytes)
        #expect(IPAddress(parsing: text) == IPAddress(bytes: bytes))
        #expect(IPAddress(parsing: text)?.bytes == bytes)
    }

    @Test(
        "malformed IPv4 is rejected, including leading zeros",
        arguments: [
            "", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "1..2.3", ".1.2.3", "1.2.3.", "01.2.3.4",
            "1.2.3.04", "1.2.3.4 ", "a.b.c.d", "1.2.3.1000", "0x7f.0.0.1",
        ])
    func ipv4Rejected(text: String) {
        #expect(IPAddress.parseIPv4(text) == nil)
    }

    @Test(
        "IPv6 forms parse: ::, ::1, compressed, full, mixed with IPv4",
        arguments: [
            ("::", "0000:0000:0000:0000:0000:0000:0000:0000"),
            ("::1", "0000:0000:0000:0000:0000:0000:0000:0001"),
            ("1::", "0001:0000:0000:0000:0000:0000:0000:0000"),
            ("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"),
            ("2001:DB8:0:0:8:800:200C:417A", "2001:0db8:0000:0000:0008:0800:200c:417a"),
            ("fe80::1:2", "fe80:0000:0000:0000:0000:0000:0001:0002"),
            ("1:2:3:4:5:6:7::", "0001:0002:0003:0004:0005:0006:0007:0000"),
            ("::2:3:4:5:6:7:8", "0000:0002:0003:0004:0005:0006:0007:0008"),
            ("1:2:3:4:5:6:7:8", "0001:0002:0003:0004:0005:0006:0007:0008"),
            ("::ffff:192.0.2.1", "0000:0000:0000:0000:0000:ffff:c000:0201"),
            ("64:ff9b::192.0.2.33", "0064:ff9b:0000:0000:0000:0000:c000:0221"),
            ("1:2:3:4:5:6:1.2.3.4", "0001:0002:0003:0004:0005:0006:0102:0304"),
        ])
    func ipv6Parses(text: String, expanded: String) throws {
        let bytes = try #require(IPAddress.parseIPv6(text))
        let groups = stride(from: 0, to: 16, by: 2).map { index in
            let value = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 4 - hex.count) + hex
        }
        #expect(groups.joined(separator: ":") == expanded)
    }

    @Test(
        "malformed IPv6 is rejected",
        arguments: [
            "", ":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
            "g::1", "::1.2.3", "::1.2.3.4.5", "::256.0.0.1", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8::", "[::1]",
            "::1%eth0", "1.2.3.4", "::ffff:01.2.3.4", "2001:db8::1/64",
        ])
    func ipv6Rejected(text: String) {
        #expect(IPAddress.parseIPv6(text) == nil)
    }

    @Test(
        "IPv6 is printed in RFC 5952 canonical form",
        arguments: [
            ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("::ffff:c000:201", "192.0.2.1"),
        ])
    func ipv6Canonical(text: String, canonical: String) throws {
        let address = try #require(IPAddress(parsing: text))
        #expect(address.description == canonical)
    }

    @Test("an IPv4-mapped IPv6 address is the IPv4 address it carries; an IPv4-compatible one stays IPv6")
    func unmapping() throws {
        let mapped = try #require(IPAddress(parsing: "::ffff:10.1.2.3"))
        #expect(mapped == IPAddress(parsing: "10.1.2.3"))
        #expect(mapped.isIPv4 && mapped.bitWidth == 32 && mapped.bytes == [10, 1, 2, 3])
        let compatible = try #require(IPAddress(parsing: "::10.1.2.3"))
        #expect(!compatible.isIPv4 && compatible.bitWidth == 128)
        #expect(compatible.description == "::a01:203")
    }

    @Test("the unspecified addresses of both families are recognised, and nothing else")
    func unspecified() throws {
        #expect(try #require(IPAddress(parsing: "0.0.0.0")).isUnspecified)
        #expect(try #require(IPAddress(parsing: "::")).isUnspecified)
        #expect(!(try #require(IPAddress(parsing: "::1")).isUnspecified))
        #expect(!(try #require(IPAddress(parsing: "0.0.0.1")).isUnspecified))
    }
}
