import Testing

@testable import TollgateConfig

@Suite("Endpoint text form T:HOST:PORT")
struct EndpointTests {
    @Test(
        "endpoints parse: IPv4, bracketed IPv6, host names, any-case transport",
        arguments: [
            ("udp:127.0.0.1:5060", SIPTransportKind.udp, "127.0.0.1", 5060),
            ("tcp:[::1]:5061", .tcp, "::1", 5061),
            ("tls:pbx.example.com:5061", .tls, "pbx.example.com", 5061),
            ("UDP:192.0.2.1:1", .udp, "192.0.2.1", 1),
            ("udp:[2001:db8::1]:65535", .udp, "2001:db8::1", 65535),
            ("tcp:localhost:8080", .tcp, "localhost", 8080),
            ("  udp:10.0.0.1:5060 ", .udp, "10.0.0.1", 5060),
        ])
    func parses(text: String, transport: SIPTransportKind, host: String, port: Int) throws {
        let endpoint = try Endpoint(parsing: text)
        #expect(endpoint == Endpoint(transport: transport, host: host, port: port))
    }

    @Test(
        "the port defaults to 5060, or 5061 for tls",
        arguments: [
            ("udp:127.0.0.1", 5060),
            ("tcp:[::1]", 5060),
            ("tls:pbx.example.com", 5061),
            ("tls:[2001:db8::5]", 5061),
        ])
    func defaultPort(text: String, port: Int) throws {
        #expect(try Endpoint(parsing: text).port == port)
    }

    @Test(
        "malformed endpoints are rejected with a reason",
        arguments: [
            ("", "empty endpoint"),
            ("127.0.0.1:5060", "does not start with a transport"),
            ("sip:127.0.0.1:5060", "does not start with a transport"),
            ("ud:127.0.0.1:5060", "did you mean 'udp'"),
            ("udp:", "has no host"),
            ("udp:127.0.0.1:", "port '' must be a number 1-65535"),
            ("udp:127.0.0.1:0", "must be a number 1-65535"),
            ("udp:127.0.0.1:65536", "must be a number 1-65535"),
            ("udp:127.0.0.1:99999999999999999999", "must be a number 1-65535"),
            ("udp:127.0.0.1:50a", "must be a number 1-65535"),
            ("udp:127.0.0.1:-1", "must be a number 1-65535"),
            ("udp:::1:5060", "must be written in brackets"),
            ("udp:2001:db8::1", "must be written in brackets"),
            ("udp:[::1", "without a closing ']'"),
            ("udp:[::g]:5060", "is not an IPv6 address"),
            ("udp:[127.0.0.1]:5060", "is not an IPv6 address"),
            ("udp:[::1]5060", "expected ':PORT' after ']'"),
            ("udp:256.1.1.1:5060", "is not an IP address or host name"),
            ("udp:bad_host:5060", "is not an IP address or host name"),
            ("udp:-bad.example:5060", "is not an IP address or host name"),
            ("udp:10.0.0 .1:5060", "white space"),
        ])
    func rejected(text: String, reason: String) {
        #expect {
            try Endpoint(parsing: text)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.message.contains(reason)
        }
    }

    @Test(
        "description writes IPv6 hosts in brackets and round-trips",
        arguments: [
            "udp:127.0.0.1:5060", "udp:[::1]:5060", "tls:pbx.example.com:5061", "tcp:[2001:db8::1]:5062",
        ])
    func descriptionRoundTrips(text: String) throws {
        let endpoint = try Endpoint(parsing: text)
        #expect(endpoint.description == text)
        #expect(try Endpoint(parsing: endpoint.description) == endpoint)
    }

    @Test("with a default transport, HOST:PORT and HOST are accepted too")
    func defaultTransport() throws {
        #expect(try Endpoint(parsing: "127.0.0.1:8080", defaultTransport: .tcp).description == "tcp:127.0.0.1:8080")
        #expect(try Endpoint(parsing: "[::1]:8080", defaultTransport: .tcp).description == "tcp:[::1]:8080")
        #expect(try Endpoint(parsing: "tcp:127.0.0.1:9090", defaultTransport: .udp).description == "tcp:127.0.0.1:9090")
        #expect(try Endpoint(parsing: "localhost", defaultTransport: .tcp).port == 5060)
        #expect(throws: ConfigError.self) { try Endpoint(parsing: "::1:8080", defaultTransport: .tcp) }
    }
}
