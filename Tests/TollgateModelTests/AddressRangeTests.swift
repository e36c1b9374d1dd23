import Testing

import TollgateModel

@Suite("CIDR address ranges")
struct AddressRangeTests {
    @Test(
        "ranges parse and print canonically",
        arguments: [
            ("192.0.2.0/24", "192.0.2.0/24"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("127.0.0.10", "127.0.0.10/32"),
            ("127.0.0.10/32", "127.0.0.10/32"),
            ("2001:db8::/32", "2001:db8::/32"),
            ("2001:DB8:0:0::/64", "2001:db8::/64"),
            ("::/0", "::/0"),
            ("::1", "::1/128"),
            ("[2001:db8::]/48", "2001:db8::/48"),
            ("[::1]", "::1/128"),
            ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
            ("::ffff:192.0.2.7", "192.0.2.7/32"),
        ])
    func parses(text: String, canonical: String) throws {
        let range = try AddressRange(parsing: text)
        #expect(range.description == canonical)
        #expect(try AddressRange(parsing: range.description) == range)
    }

    @Test(
        "malformed ranges are rejected with a reason",
        arguments: [
            ("", "is not an IPv4 or IPv6 address"),
            ("192.0.2.0/33", "prefix length must be 0-32"),
            ("2001:db8::/129", "prefix length must be 0-128"),
            ("192.0.2.0/", "prefix length must be 0-32"),
            ("192.0.2.0/-1", "prefix length must be 0-32"),
            ("192.0.2.0/024", "prefix length must be 0-32"),
            ("192.0.2.0/2x", "prefix length must be 0-32"),
            ("192.0.2.1/24", "did you mean 192.0.2.0/24?"),
            ("10.0.0.5/8", "did you mean 10.0.0.0/8?"),
            ("2001:db8::1/32", "did you mean 2001:db8::/32?"),
            ("example.com/24", "is not an IPv4 or IPv6 address"),
            ("192.0.2/24", "is not an IPv4 or IPv6 address"),
            ("[192.0.2.0]/24", "is not an IPv6 address"),
            ("1:2:3/64", "is not an IPv4 or IPv6 address"),
        ])
    func rejected(text: String, reason: String) {
        #expect {
            try AddressRange(parsing: text)
        } throws: { error in
            guard let error = error as? AddressRangeError else { return false }
            return error.message.contains(reason)
        }
    }

    @Test("contains: /24 boundaries")
    func containsIPv4Network() throws {
        let range = try AddressRange(parsing: "192.0.2.0/24")
        #expect(range.contains("192.0.2.0"))
        #expect(range.contains("192.0.2.255"))
        #expect(!range.contains("192.0.3.0"))
        #expect(!range.contains("192.0.1.255"))
    }

    @Test("contains: a non-octet prefix (/20, /127) compares the partial byte")
    func containsPartialByte() throws {
        let v4 = try AddressRange(parsing: "10.16.0.0/12")
        #expect(v4.contains("10.31.255.255"))
        #expect(!v4.contains("10.32.0.0"))
        #expect(!v4.contains("10.15.255.255"))
        let v6 = try AddressRange(parsing: "2001:db8::/127")
        #expect(v6.contains("2001:db8::1"))
        #expect(!v6.contains("2001:db8::2"))
    }

    @Test("contains: /32 and /128 match exactly one address")
    func containsSingleHost() throws {
        let v4 = try AddressRange(parsing: "127.0.0.10/32")
        #expect(v4.contains("127.0.0.10"))
        #expect(!v4.contains("127.0.0.11"))
        let v6 = try AddressRange(parsing: "2001:db8::1/128")
        #expect(v6.contains("2001:db8::1"))
        #expect(v6.contains("2001:DB8:0:0:0:0:0:1"))
        #expect(v6.contains("[2001:db8::1]"))
        #expect(!v6.contains("2001:db8::2"))
    }

    @Test("contains: /0 matches every address of its family only")
    func containsEverything() throws {
        let v4 = try AddressRange(parsing: "0.0.0.0/0")
        #expect(v4.contains("0.0.0.0"))
        #expect(v4.contains("255.255.255.255"))
        #expect(v4.contains("::ffff:8.8.8.8"))
        #expect(!v4.contains("2001:db8::1"))
        let v6 = try AddressRange(parsing: "::/0")
        #expect(v6.contains("::"))
        #expect(v6.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(!v6.contains("8.8.8.8"))
    }

    @Test("contains: an IPv4-mapped IPv6 address counts as IPv4")
    func containsMapped() throws {
        let range = try AddressRange(parsing: "192.0.2.0/24")
        #expect(range.contains("::ffff:192.0.2.7"))
        #expect(range.contains("[::ffff:192.0.2.7]"))
        #expect(range.contains("::FFFF:c000:0207"))
        #expect(!range.contains("::ffff:192.0.3.7"))
        let v6 = try AddressRange(parsing: "::/0")
        #expect(!v6.contains("::ffff:192.0.2.7"))
        let mappedRange = try AddressRange(parsing: "::ffff:192.0.2.0/120")
        #expect(mappedRange.contains("192.0.2.9"))
    }

    @Test("contains: garbage, host names and zones")
    func containsOddInput() throws {
        let range = try AddressRange(parsing: "fe80::/10")
        #expect(range.contains("fe80::1%eth0"))
        #expect(!range.contains("example.com"))
        #expect(!range.contains(""))
        #expect(!range.contains("fe80::1/64"))
        #expect(!(try AddressRange(parsing: "0.0.0.0/0")).contains("1.2.3.4:5060"))
    }
}
