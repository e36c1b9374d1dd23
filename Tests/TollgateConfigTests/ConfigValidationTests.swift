import Testing

@testable import TollgateConfig

@Suite("Cross-field validation rules, with the path and line of each")
struct ConfigValidationTests {
    typealias Support = ConfigTestSupport

    /// Checks that `yaml` fails with exactly one error, at `path`, on the line containing `marker`,
    /// whose message contains `message`.
    func expectSingle(
        _ yaml: String,
        path: String,
        marker: String,
        message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let errors = Support.errors(yaml)
        #expect(errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
        guard let error = errors.first else { return }
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.line == Support.line(of: marker, in: yaml), sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
    }

    @Test("at least one listener")
    func noListeners() {
        let yaml = "listeners: []\npbx: udp:127.0.0.20:5080\n"
        expectSingle(yaml, path: "listeners", marker: "listeners:", message: "no listeners")
    }

    @Test("a PBX is required")
    func noPBX() {
        let yaml = "listeners:\n  - listen: udp:127.0.0.1:5070\n"
        expectSingle(yaml, path: "pbx", marker: "listeners:", message: "a PBX is required")
    }

    @Test("no two listeners on the same transport, address and port")
    func duplicateListener() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
              - transport: tcp
                address: 127.0.0.1
                port: 5070
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            """
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(
            errors.at("listeners[2]")?.message
                == "the same transport, address and port as listeners[0] (udp:127.0.0.1:5070)")
        #expect(errors.at("listeners[2]")?.line == 6)
    }

    @Test("a wildcard address overlaps specific addresses on the same port")
    func wildcardOverlap() {
        let yaml = """
            listeners:
              - listen: udp:0.0.0.0:5060
              - listen: udp:192.0.2.1:5060
            pbx: udp:127.0.0.20:5080
            """
        expectSingle(
            yaml, path: "listeners[1]", marker: "192.0.2.1",
            message: "an overlapping transport, address and port as listeners[0]")
    }

    @Test("no address and port in zone internal and external at once")
    func zoneConflict() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
                zone: external
              - listen: tcp:127.0.0.1:5070
                zone: internal
              - listen: udp:127.0.0.2:5070
                zone: internal
            pbx: udp:127.0.0.20:5080
            """
        expectSingle(
            yaml, path: "listeners[1]", marker: "tcp:127.0.0.1:5070",
            message: "one address and port can face only one zone")
    }

    @Test("tls listeners need a certificate and a key; others must not have them")
    func tlsFiles() {
        let yaml = """
            listeners:
              - listen: tls:127.0.0.1:5061
              - listen: udp:127.0.0.1:5070
                tls_certificate: cert.pem
            pbx: udp:127.0.0.20:5080
            """
        let errors = Support.errors(yaml)
        #expect(
            errors.paths == ["listeners[0].tls_certificate", "listeners[0].tls_key", "listeners[1].tls_certificate"])
        #expect(errors.at("listeners[0].tls_certificate")?.line == 2)
        #expect(errors.at("listeners[0].tls_certificate")?.message.contains("needs a certificate") == true)
        #expect(errors.at("listeners[0].tls_key")?.message.contains("needs a private key") == true)
        #expect(errors.at("listeners[1].tls_certificate")?.line == 4)
        #expect(
            errors.at("listeners[1].tls_certificate")?.message
                == "only tls listeners use a certificate; this one is udp")
    }

    @Test("a listener binds an IP address, not a host name; the error names the key that was written")
    func listenerHostName() {
        let text = """
            listeners:
              - listen: udp:localhost:5070
            pbx: udp:127.0.0.20:5080
            """
        expectSingle(
            text, path: "listeners[0].listen", marker: "localhost",
            message: "'localhost' is a host name; a listener binds an IP address")
        let parts = """
            listeners:
              - port: 5070
                address: gateway.example.com
            pbx: udp:127.0.0.20:5080
            """
        expectSingle(parts, path: "listeners[0].address", marker: "gateway.example.com", message: "is a host name")
    }

    @Test("listener names are unique tokens")
    func listenerNames() {
        let yaml = """
            listeners:
              - name: wan
                listen: udp:127.0.0.1:5070
              - name: wan
                listen: tcp:127.0.0.1:5070
              - name: bad name
                listen: udp:127.0.0.1:5071
            pbx: udp:127.0.0.20:5080
            """
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["listeners[1].name", "listeners[2].name"])
        #expect(errors.at("listeners[1].name")?.message == "duplicate listener name 'wan' (also listeners[0])")
        #expect(errors.at("listeners[1].name")?.line == 4)
        #expect(errors.at("listeners[2].name")?.line == 6)
    }

    @Test("advertised_address must be an address or host name")
    func advertisedAddress() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
                advertised_address: "not valid!"
            pbx: udp:127.0.0.20:5080
            """
        expectSingle(
            yaml, path: "listeners[0].advertised_address", marker: "advertised_address",
            message: "is not an IP address or host name")
    }

    @Test("trunk names are unique and made of token characters")
    func trunkNames() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5090
              - name: carrier
                endpoint: udp:127.0.0.11:5090
              - name: "my trunk"
                endpoint: udp:127.0.0.12:5090
            """
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["trunks[1].name", "trunks[2].name"])
        #expect(errors.at("trunks[1].name")?.message == "duplicate trunk name 'carrier' (also trunks[0])")
        #expect(errors.at("trunks[1].name")?.line == 7)
        #expect(errors.at("trunks[2].name")?.message.contains("may contain only letters, digits") == true)
        #expect(errors.at("trunks[2].name")?.line == 9)
    }

    @Test("a trunk addressed by host name needs allowed_sources")
    func allowedSourcesRequired() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: carrier
                endpoint: udp:sip.carrier.example:5060
            """
        expectSingle(
            yaml, path: "trunks[0].allowed_sources", marker: "- name: carrier",
            message: "required because the endpoint host 'sip.carrier.example' is a name")
    }

    @Test("an explicitly empty allowed_sources is refused")
    func allowedSourcesEmpty() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5090
                allowed_sources: []
            """
        expectSingle(
            yaml, path: "trunks[0].allowed_sources", marker: "allowed_sources",
            message: "must list at least one address range")
    }

    @Test("probe numbers are positive and the timeout fits in the interval; priority and weight not negative")
    func probeNumbers() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: a
                endpoint: udp:127.0.0.10:5090
                priority: -1
                probe:
                  interval: -5
                  timeout: 0
                  failures: 0
              - name: b
                endpoint: udp:127.0.0.11:5090
                probe: { interval: 5, timeout: 10 }
            """
        let errors = Support.errors(yaml)
        #expect(
            errors.paths == [
                "trunks[0].priority", "trunks[0].probe.interval", "trunks[0].probe.timeout", "trunks[0].probe.failures",
                "trunks[1].probe.timeout",
            ])
        #expect(errors.map { $0.line ?? 0 } == [7, 9, 10, 11, 14])
        #expect(errors.at("trunks[0].probe.failures")?.message == "must be at least 1, found 0")
        #expect(errors.at("trunks[1].probe.timeout")?.message == "must not exceed the interval (5.0 seconds)")
    }

    @Test("credentials need a username and a password")
    func credentials() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: a
                endpoint: udp:127.0.0.10:5090
                credentials:
                  username: ""
                  password: secret
              - name: b
                endpoint: udp:127.0.0.11:5090
                credentials:
                  username: bob
            """
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["trunks[0].credentials.username", "trunks[1].credentials.password"])
        #expect(errors.at("trunks[0].credentials.username")?.line == 8)
        #expect(errors.at("trunks[1].credentials.password")?.message == "missing required key 'password'")
        #expect(errors.at("trunks[1].credentials.password")?.line == 13)
    }

    @Test("a registration lifetime is 60 to 86400 seconds; 3600 when left out")
    func registerExpires() throws {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: a
                endpoint: udp:127.0.0.10:5090
                credentials: { username: alice, password: secret, register: true, register_expires: 59 }
              - name: b
                endpoint: udp:127.0.0.11:5090
                credentials: { username: bob, password: secret, register: true, register_expires: 86401 }
              - name: c
                endpoint: udp:127.0.0.12:5090
                credentials: { username: carol, password: secret, register: true }
            """
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["trunks[0].credentials.register_expires", "trunks[1].credentials.register_expires"])
        #expect(errors.at("trunks[0].credentials.register_expires")?.message == "must be between 60 and 86400 seconds, found 59")
        #expect(errors.at("trunks[1].credentials.register_expires")?.line == 10)
        let valid = try TollgateConfig(yaml: yaml.replacingOccurrences(of: "59", with: "60").replacingOccurrences(of: "86401", with: "86400"))
        #expect(valid.trunks.map { $0.credentials?.registerExpires } == [60, 86400, 3600])
    }

    @Test("routes reference existing trunks, each once")
    func routeTrunks() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5090
            routes:
              - prefix: ""
                trunks: [carrier, backup, carrier]
              - prefix: "1"
                trunks: []
            """
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["routes[0].trunks[1]", "routes[0].trunks[2]", "routes[1].trunks"])
        #expect(errors.at("routes[0].trunks[1]")?.message == "unknown trunk 'backup'")
        #expect(errors.at("routes[0].trunks[1]")?.column == Support.column(of: "backup", in: yaml))
        #expect(errors.at("routes[0].trunks[2]")?.message == "trunk 'carrier' is listed twice")
        #expect(errors.at("routes[1].trunks")?.message == "must name at least one trunk")
        #expect(errors.at("routes[1].trunks")?.line == 11)
    }

    @Test("route prefixes are digits with an optional '+', unique; prepend digits likewise; strip not negative")
    func routePrefixes() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5090
            routes:
              - prefix: "44+"
                trunks: [carrier]
              - prefix: "00"
                trunks: [carrier]
              - prefix: "00"
                trunks: [carrier]
                strip_digits: -2
                prepend_digits: "9#"
              - prefix: ""
                trunks: [carrier]
              - prefix: ""
                trunks: [carrier]
              - prefix: "+"
                trunks: [carrier]
            """
        let errors = Support.errors(yaml)
        #expect(
            errors.paths == [
                "routes[0].prefix", "routes[2].prefix", "routes[2].strip_digits", "routes[2].prepend_digits",
                "routes[4].prefix",
            ])
        #expect(errors.map { $0.line ?? 0 } == [8, 12, 14, 15, 18])
        #expect(errors.at("routes[2].prefix")?.message == "duplicate prefix '00'; routes[1] already has it")
        #expect(errors.at("routes[4].prefix")?.message.contains("a second default route") == true)
    }

    @Test("fallback target is a number and its trunks exist")
    func fallbackRules() {
        let yaml =
            Support.minimal + """

                fallback:
                  target: "mobile"
                  trunks: [carrier, nobody]
                """
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["fallback.target", "fallback.trunks[1]"])
        #expect(errors.at("fallback.target")?.line == Support.line(of: "target:", in: yaml))
        #expect(errors.at("fallback.trunks[1]")?.line == Support.line(of: "nobody", in: yaml))
    }

    @Test("strip_headers entries are header names with an optional trailing '*'")
    func stripHeaders() {
        let yaml =
            Support.minimal + """

                topology_hiding:
                  strip_headers:
                    - X-Good-*
                    - "*"
                    - "X-*-Bad"
                    - "Bad Header"
                """
        let errors = Support.errors(yaml)
        #expect(
            errors.paths == [
                "topology_hiding.strip_headers[1]", "topology_hiding.strip_headers[2]",
                "topology_hiding.strip_headers[3]",
            ])
        #expect(errors.at("topology_hiding.strip_headers[1]")?.message.contains("would strip every header") == true)
        #expect(errors.at("topology_hiding.strip_headers[3]")?.line == Support.line(of: "Bad Header", in: yaml))
    }

    @Test("log level and format are known values")
    func logging() {
        let yaml = Support.minimal + "\nlogging:\n  level: warn\n  format: xml\n"
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["logging.level", "logging.format"])
        #expect(
            errors.at("logging.level")?.message
                == "unknown level 'warn' (did you mean 'warning'?); expected trace, debug, info, notice, warning, error or critical"
        )
        #expect(errors.at("logging.format")?.line == Support.line(of: "format: xml", in: yaml))
    }

    @Test("limits are in range")
    func limits() {
        let yaml =
            Support.minimal
            + "\nlimits:\n  max_message_size: 100\n  tcp_idle_timeout: 0\n  max_connections_per_source: 0\n"
        let errors = Support.errors(yaml)
        #expect(
            errors.paths == ["limits.max_message_size", "limits.tcp_idle_timeout", "limits.max_connections_per_source"])
        #expect(errors.at("limits.max_message_size")?.message == "must be 1024-16777216 bytes, found 100")
        #expect(
            errors.at("limits.max_connections_per_source")?.line
                == Support.line(of: "max_connections_per_source", in: yaml))
    }

    @Test("the reader thread is auto (on with more than one core), on or off, YAML's true and false too; anything else is reported at its line")
    func readerThread() throws {
        for (text, expected) in [("auto", PerformanceConfig.ReaderThread.auto), ("on", .on), ("off", .off), ("true", .on), ("false", .off),
                                 ("ON", .on)] {
            let config = try TollgateConfig(yaml: Support.minimal + "\nperformance:\n  reader_thread: \(text)\n")
            #expect(config.performance.readerThread == expected, "\(text)")
        }
        #expect(try TollgateConfig(yaml: Support.minimal).performance.readerThread == .auto)
        let yaml = Support.minimal + "\nperformance:\n  reader_thread: sometimes\n"
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["performance.reader_thread"])
        #expect(errors.at("performance.reader_thread")?.message.hasSuffix("expected auto, on or off") == true, "\(errors.at("performance.reader_thread")?.message ?? "")")
        #expect(errors.at("performance.reader_thread")?.line == Support.line(of: "reader_thread", in: yaml))

        #expect(PerformanceConfig.ReaderThread.auto.isOn(cores: 2))
        #expect(!PerformanceConfig.ReaderThread.auto.isOn(cores: 1))
        #expect(PerformanceConfig.ReaderThread.on.isOn(cores: 1))
        #expect(!PerformanceConfig.ReaderThread.off.isOn(cores: 8))
    }

    @Test("the busy-poll window (0-20000 microseconds) and minimum rate (0-1000000 messages a second) are checked, reported at their line", arguments: [
        ("busy_poll_us", [(-1, false), (0, true), (5000, true), (20_000, true), (20_001, false)],
         "must be 0-20000 microseconds (0 turns busy polling off), found "),
        ("busy_poll_min_rate", [(-1, false), (0, true), (2000, true), (1_000_000, true), (1_000_001, false)],
         "must be 0-1000000 messages a second (0 polls at any rate), found "),
    ])
    func busyPollRanges(key: String, values: [(Int, Bool)], message: String) {
        for (value, accepted) in values {
            let yaml = Support.minimal + "\nperformance:\n  \(key): \(value)\n"
            let errors = Support.errors(yaml)
            if accepted {
                #expect(errors.paths.isEmpty, "\(key): \(value)")
            } else {
                #expect(errors.paths == ["performance.\(key)"], "\(key): \(value)")
                #expect(errors.at("performance.\(key)")?.message == message + "\(value)")
                #expect(errors.at("performance.\(key)")?.line == Support.line(of: key, in: yaml))
            }
        }
    }

    @Test("the store URL must be a PostgreSQL URL and the path not empty")
    func store() {
        expectSingle(
            Support.minimal + "\nstore:\n  url: mysql://db/tollgate\n",
            path: "store.url", marker: "mysql", message: "must be a PostgreSQL URL")
        expectSingle(
            Support.minimal + "\nstore:\n  path: \"\"\n",
            path: "store.path", marker: "path:", message: "must name the SQLite database file")
    }

    @Test("the console binds an IP address, needs a port and does not collide with a stream listener")
    func console() {
        expectSingle(
            Support.minimal + "\nconsole: localhost:8080\n", path: "console", marker: "console:",
            message: "is not an IP address")
        expectSingle(
            Support.minimal + "\nconsole: 127.0.0.1\n", path: "console", marker: "console:",
            message: "a port is required")
        let yaml = """
            listeners:
              - listen: tcp:127.0.0.1:8080
            pbx: udp:127.0.0.20:5080
            console: 0.0.0.0:8080
            """
        expectSingle(
            yaml, path: "console", marker: "console:",
            message: "uses the same address and port as listeners[0] (tcp:127.0.0.1:8080)")
        expectSingle(
            Support.minimal + "\nconsole:\n  listen: 127.0.0.1:8080\n  tls_certificate: console.pem\n", path: "console.tls_key",
            marker: "listen: 127.0.0.1:8080", message: "tls_certificate and tls_key go together")
        expectSingle(
            Support.minimal + "\nconsole:\n  listen: 127.0.0.1:8080\n  idle_timeout: 90000\n", path: "console.idle_timeout",
            marker: "idle_timeout:", message: "must not be longer than session_lifetime")
        expectSingle(
            Support.minimal + "\nconsole:\n  allow: [127.0.0.1]\n", path: "console", marker: "allow:", message: "'listen' is required")
    }

    @Test("validate() on a configuration built in code reports paths without positions")
    func validateInCode() {
        var config = TollgateConfig()
        config.trunks = [TrunkConfig(name: "x", endpoint: Endpoint(transport: .udp, host: "192.0.2.1", port: 0))]
        #expect {
            try config.validate()
        } throws: { error in
            guard let errors = error as? ConfigErrors else { return false }
            return errors.errors.map { $0.path ?? "" } == ["listeners", "pbx", "trunks[0].endpoint"]
                && errors.errors.allSatisfy { $0.line == nil }
                && errors.description.split(separator: "\n").last
                    == "<config>: trunks[0].endpoint: port 0 must be 1-65535"
        }
    }
}
