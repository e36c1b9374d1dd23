import Testing

@testable import TollgateIdentity

@Suite("x5u URLs: https only, allow-listed, no internal addresses")
struct CertificateURLTests {
    @Test("what is not a plain https URL is refused")
    func shapes() {
        #expect(CertificateURL("https://cert.example.net/sp.pem")?.port == 443)
        #expect(CertificateURL("https://cert.example.net:8443/sp.pem")?.port == 8443)
        #expect(CertificateURL("https://[2001:db8::1]:8443/a")?.host == "2001:db8::1")
        for bad in ["http://cert.example.net/sp.pem", "https://u:p@cert.example.net/x", "https://cert.example.net/x?y=1",
                    "https://cert.example.net/x#f", "https://:443/x", "https://cert.example.net:0/x", "ftp://x/y", "https://a b/x"] {
            #expect(CertificateURL(bad) == nil, "\(bad)")
        }
    }

    @Test("no allow-list: any host on 443 and 8443; a list: only its hosts and ports")
    func allowList() throws {
        let open = CertificateURLPolicy()
        #expect(open.allows(try #require(CertificateURL("https://cert.example.net/sp.pem"))))
        #expect(!open.allows(try #require(CertificateURL("https://cert.example.net:22/sp.pem"))))
        let listed = CertificateURLPolicy(allow: ["*.sti.example.org", "certs.example.com:9443"])
        #expect(listed.allows(try #require(CertificateURL("https://a.sti.example.org:8443/x"))))
        #expect(!listed.allows(try #require(CertificateURL("https://sti.example.org.evil.net/x"))))
        #expect(listed.allows(try #require(CertificateURL("https://certs.example.com:9443/x"))))
        #expect(!listed.allows(try #require(CertificateURL("https://certs.example.com/x"))))
    }

    @Test("internal addresses are refused unless listed literally")
    func internalAddresses() throws {
        let url = try #require(CertificateURL("https://cert.example.net/sp.pem"))
        let open = CertificateURLPolicy()
        for address in ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "::1", "fd00::1",
                        "fe80::1", "::ffff:10.0.0.1", "0.0.0.0"] {
            #expect(!open.allows(address: address, for: url), "\(address)")
        }
        #expect(open.allows(address: "93.184.216.34", for: url))
        let inside = CertificateURLPolicy(allow: ["127.0.0.41:8443"])
        let local = try #require(CertificateURL("https://127.0.0.41:8443/sp.pem"))
        #expect(inside.allows(local) && inside.allows(address: "127.0.0.41", for: local))
        #expect(!inside.allows(address: "127.0.0.42", for: local))
    }
}
