import Testing

@testable import TollgateConfig
import TollgateModel

@Suite("Reading YAML: structure, types, keys, positions")
struct ConfigDecodingTests {
    typealias Support = ConfigTestSupport

    @Test("a minimal file fills in every default")
    func minimalDefaults() throws {
        let config = try TollgateConfig(yaml: Support.minimal)
        #expect(
            config.listeners == [ListenerConfig(endpoint: Endpoint(transport: .udp, host: "127.0.0.1", port: 5070))])
        #expect(config.listeners[0].effectiveName == "external-udp-5070")
        #expect(config.listeners[0].effectiveAdvertisedAddress == "127.0.0.1")
        #expect(config.pbx.name == "pbx")
        #expect(config.trunks[0].allowedSources == [try AddressRange(parsing: "127.0.0.10/32")])
        #expect(config.trunks[0].priority == 1)
        #expect(config.trunks[0].weight == 100)
        #expect(config.trunks[0].probe == TrunkProbeConfig(interval: 30, timeout: 5, failures: 3, enabled: true))
        #expect(config.routes == [RouteRule(prefix: "", trunks: ["carrier"])])
        #expect(config.remotePhones == false)
        #expect(config.topologyHiding.enabled)
        #expect(config.topologyHiding.stripHeaders == ["X-Asterisk-*", "X-FS-*", "P-Asserted-Identity"])
        #expect(config.topologyHiding.maskSDP == false)
        #expect(config.limits == LimitsConfig(maxMessageSize: 65536, tcpIdleTimeout: 300, maxConnectionsPerSource: 32))
        #expect(config.performance.busyPollMicroseconds == 5000)
        #expect(config.performance.busyPollMinimumRate == 2000)
        #expect(config.logging == LoggingConfig(level: "info", format: "text"))
        #expect(config.store == StoreConfig(path: "tollgate.db", url: nil))
        #expect(config.console == nil)
        #expect(config.fallback == nil)
    }

    @Test("every key of a full file is read")
    func fullFile() throws {
        let yaml = """
            listeners:
              - name: wan
                zone: external
                transport: tls
                address: "2001:db8::10"
                tls_certificate: cert.pem
                tls_key: key.pem
                advertised_address: sip.example.com
              - name: lan
                zone: internal
                listen: { transport: udp, address: 10.0.0.1, port: 5062 }
              - zone: admin
                listen: tcp:[::1]:5090
            pbx:
              name: asterisk
              transport: tcp
              address: 10.0.0.20
            trunks:
              - name: carrier-a
                endpoint: { transport: tls, address: sip.carrier.example }
                allowed_sources: [198.51.100.0/24, "2001:db8:100::/48"]
                priority: 0
                weight: 70
                probe: { interval: 10.5, timeout: 2, failures: 5, enabled: no }
                credentials:
                  username: 0123
                  password: 007
                  realm: carrier.example
                  register: yes
                  register_expires: 600
              - name: carrier-b
                transport: udp
                address: 203.0.113.5
                port: 5080
            routes:
              - name: uk
                prefix: +44
                trunks: [carrier-a, carrier-b]
                strip_digits: 3
                prepend_digits: "0"
              - prefix: 00
                trunks:
                  - carrier-b
            fallback:
              target: "+447700900123"
              trunks: [carrier-a]
            remote_phones: true
            topology_hiding:
              enabled: false
              strip_headers: [X-Secret-*]
              mask_sdp: true
            limits:
              max_message_size: 8_192
              tcp_idle_timeout: 60
              max_connections_per_source: 4
            performance:
              busy_poll_us: 0
              busy_poll_min_rate: 500
              reader_thread: off
            console: 127.0.0.1:8080
            logging: { level: debug, format: json }
            store:
              path: /var/lib/tollgate/tollgate.db
              url: postgres://tollgate@db.example.com/tollgate
            """
        let config = try TollgateConfig(yaml: yaml)

        #expect(
            config.listeners[0]
                == ListenerConfig(
                    name: "wan", zone: .external, endpoint: Endpoint(transport: .tls, host: "2001:db8::10", port: 5061),
                    tlsCertificate: "cert.pem", tlsKey: "key.pem", advertisedAddress: "sip.example.com"))
        #expect(config.listeners[1].endpoint.description == "udp:10.0.0.1:5062")
        #expect(config.listeners[1].zone == .internal)
        #expect(config.listeners[2].endpoint.description == "tcp:[::1]:5090")
        #expect(config.listeners[2].zone == .admin)
        #expect(
            config.pbx
                == PBXConfig(endpoint: Endpoint(transport: .tcp, host: "10.0.0.20", port: 5060), name: "asterisk"))

        let a = config.trunks[0]
        #expect(a.endpoint.description == "tls:sip.carrier.example:5061")
        #expect(a.allowedSources.map(\.description) == ["198.51.100.0/24", "2001:db8:100::/48"])
        #expect(a.priority == 0 && a.weight == 70)
        #expect(a.probe == TrunkProbeConfig(interval: 10.5, timeout: 2, failures: 5, enabled: false))
        // Text keeps its leading zeros: the raw scalar is used, never YAML 1.1 octal.
        #expect(
            a.credentials
                == TrunkCredentials(username: "0123", password: "007", realm: "carrier.example", register: true, registerExpires: 600))
        #expect(config.trunks[1].endpoint.description == "udp:203.0.113.5:5080")
        #expect(config.trunks[1].allowedSources.map(\.description) == ["203.0.113.5/32"])

        #expect(
            config.routes[0]
                == RouteRule(
                    name: "uk", prefix: "+44", trunks: ["carrier-a", "carrier-b"], stripDigits: 3, prependDigits: "0"))
        #expect(config.routes[1] == RouteRule(prefix: "00", trunks: ["carrier-b"]))
        #expect(config.fallback == FallbackConfig(target: "+447700900123", trunks: ["carrier-a"]))
        #expect(config.remotePhones)
        #expect(
            config.topologyHiding == TopologyHidingConfig(enabled: false, stripHeaders: ["X-Secret-*"], maskSDP: true))
        #expect(config.limits == LimitsConfig(maxMessageSize: 8192, tcpIdleTimeout: 60, maxConnectionsPerSource: 4))
        #expect(config.performance == PerformanceConfig(busyPollMicroseconds: 0, busyPollMinimumRate: 500, readerThread: .off))
        #expect(config.console?.listen == Endpoint(transport: .tcp, host: "127.0.0.1", port: 8080))
        #expect(config.logging == LoggingConfig(level: "debug", format: "json"))
        #expect(
            config.store
                == StoreConfig(
                    path: "/var/lib/tollgate/tollgate.db", url: "postgres://tollgate@db.example.com/tollgate"))
    }

    @Test("the console may be written tcp:ADDR:PORT or as a mapping with its settings; unset lists mean loopback only")
    func consoleForms() throws {
        let text = try TollgateConfig(yaml: Support.minimal + "\nconsole: tcp:127.0.0.1:9000")
        #expect(text.console?.listen == Endpoint(transport: .tcp, host: "127.0.0.1", port: 9000))
        #expect(text.console?.allow == nil && text.console?.usesTLS == false && text.console?.baseURL == "http://127.0.0.1:9000")
        let map = try TollgateConfig(yaml: Support.minimal + """

            console:
              listen: "[::1]:9001"
              allow: [192.0.2.0/24, "2001:db8::/32"]
              metrics_allow: [198.51.100.7]
              idle_timeout: 600
              session_lifetime: 3600
              ban_after_failures: 5
            """)
        let console = try #require(map.console)
        #expect(console.listen == Endpoint(transport: .tcp, host: "::1", port: 9001))
        #expect(console.allow?.map(\.description) == ["192.0.2.0/24", "2001:db8::/32"])
        #expect(console.metricsAllow?.map(\.description) == ["198.51.100.7/32"])
        #expect(console.idleTimeout == 600 && console.sessionLifetime == 3600 && console.banAfterFailures == 5)
        let wide = try TollgateConfig(yaml: Support.minimal + "\nconsole: 0.0.0.0:8443")
        #expect(wide.console?.usesTLS == true && wide.console?.baseURL == "https://127.0.0.1:8443")
    }

    @Test("an unknown key is reported at its line with a 'did you mean'")
    func unknownKey() {
        let yaml = Support.minimal + "\nremotephones: true\ntopology_hiding:\n  strip_header: [X-A]\nfrobnicate: 1"
        let errors = Support.errors(yaml)
        #expect(errors.count == 3)
        let top = errors.at("remotephones")
        #expect(top?.message == "unknown key 'remotephones' (did you mean 'remote_phones'?)")
        #expect(top?.line == Support.line(of: "remotephones", in: yaml))
        #expect(top?.column == 1)
        let nested = errors.at("topology_hiding.strip_header")
        #expect(nested?.message.contains("did you mean 'strip_headers'?") == true)
        #expect(nested?.line == Support.line(of: "strip_header:", in: yaml))
        #expect(nested?.column == 3)
        #expect(errors.at("frobnicate")?.message == "unknown key 'frobnicate'")
    }

    @Test(
        "wrong types are reported with what was found",
        arguments: [
            ("remote_phones: maybe", "remote_phones", "expected true or false, found 'maybe'"),
            ("limits: { max_message_size: big }", "limits.max_message_size", "expected a whole number, found 'big'"),
            ("limits: { tcp_idle_timeout: [1] }", "limits.tcp_idle_timeout", "expected a number, found a list"),
            ("limits: { tcp_idle_timeout: .inf }", "limits.tcp_idle_timeout", "expected a number, found '.inf'"),
            ("limits: 5", "limits", "expected a mapping of keys to values, found the value '5'"),
            ("logging: { level: { a: 1 } }", "logging.level", "expected text, found a mapping"),
            (
                "topology_hiding: { strip_headers: X-A }", "topology_hiding.strip_headers",
                "expected a list, found the value 'X-A'"
            ),
            ("store: [a]", "store", "expected a mapping of keys to values, found a list"),
        ])
    func wrongTypes(line: String, path: String, message: String) {
        let yaml = Support.minimal + "\n" + line
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(errors.at(path)?.message == message)
        #expect(errors.at(path)?.line == Support.line(of: line, in: yaml))
    }

    @Test("missing required keys are reported at the mapping that lacks them")
    func missingKeys() {
        let yaml = """
            listeners:
              - zone: external
            pbx: udp:127.0.0.20:5080
            trunks:
              - endpoint: udp:127.0.0.10:5090
            routes:
              - trunks: [carrier]
            fallback:
              trunks: [carrier]
            """
        let errors = Support.errors(yaml)
        #expect(
            errors.at("listeners[0].address")?.message
                == "missing required key 'address' (or 'listen: udp:ADDRESS:PORT')")
        #expect(errors.at("listeners[0].address")?.line == 2)
        #expect(errors.at("trunks[0].name")?.message == "missing required key 'name'")
        #expect(errors.at("trunks[0].name")?.line == 5)
        #expect(
            errors.at("routes[0].prefix")?.message
                == "missing required key 'prefix' (use prefix: \"\" for a default route)")
        #expect(errors.at("routes[0].prefix")?.line == 7)
        #expect(errors.at("fallback.target")?.line == 9)
        // Items that could not be read are not checked again by validation.
        #expect(errors.count == 4)
    }

    @Test("a key given without a value is reported at the key")
    func nullValue() {
        let yaml = Support.minimal + "\nfallback:\n  target:\n  trunks: [carrier]"
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(errors.at("fallback.target")?.message == "'target' needs a value")
        #expect(errors.at("fallback.target")?.line == Support.line(of: "  target:", in: yaml))
    }

    @Test("an endpoint given both as text and as parts is ambiguous")
    func endpointBothWays() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
                port: 5071
            pbx: udp:127.0.0.20:5080
            """
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(
            errors.at("listeners[0].listen")?.message == "give the endpoint either as 'listen' or as 'port', not both")
        #expect(errors.at("listeners[0].listen")?.line == 2)
    }

    @Test("bad endpoints and ranges are reported at the value, with line and column")
    func badEndpointAndRange() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:70000
              - transport: sctp
                address: 10.0.0.1
              - address: 10.0.0.300
                port: 0
            pbx: udp:[::1
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5090
                allowed_sources: [127.0.0.10/33, 10.0.0.1/8]
            routes:
              - prefix: ""
                trunks: [carrier]
            """
        let errors = Support.errors(yaml)
        #expect(
            errors.paths == [
                "listeners[0].listen", "listeners[1].transport", "listeners[2].address", "listeners[2].port", "pbx",
                "trunks[0].allowed_sources[0]", "trunks[0].allowed_sources[1]",
            ])
        #expect(
            errors.at("listeners[0].listen")?.message == "'udp:127.0.0.1:70000': port '70000' must be a number 1-65535")
        #expect(errors.at("listeners[0].listen")?.line == 2)
        #expect(errors.at("listeners[0].listen")?.column == Support.column(of: "udp:127.0.0.1:70000", in: yaml))
        #expect(errors.at("listeners[1].transport")?.message == "unknown transport 'sctp'; expected udp, tcp or tls")
        #expect(errors.at("listeners[2].address")?.line == 5)
        #expect(errors.at("listeners[2].port")?.message == "must be 1-65535")
        #expect(errors.at("listeners[2].port")?.line == 6)
        #expect(errors.at("pbx")?.line == 7)
        #expect(errors.at("trunks[0].allowed_sources[0]")?.message == "'127.0.0.10/33': prefix length must be 0-32")
        #expect(errors.at("trunks[0].allowed_sources[1]")?.message.contains("did you mean 10.0.0.0/8?") == true)
        #expect(errors.at("trunks[0].allowed_sources[1]")?.line == 11)
        #expect(errors.at("trunks[0].allowed_sources[1]")?.column == Support.column(of: "10.0.0.1/8", in: yaml))
    }

    @Test("an unknown zone gets a suggestion")
    func unknownZone() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
                zone: externel
            pbx: udp:127.0.0.20:5080
            """
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(
            errors.at("listeners[0].zone")?.message
                == "unknown zone 'externel' (did you mean 'external'?); expected external, internal or admin")
        #expect(errors.at("listeners[0].zone")?.line == 3)
    }

    @Test(
        "an empty document is an error: no listeners and no PBX", arguments: ["", "# only a comment\n", "---\n", "~"])
    func emptyDocument(yaml: String) {
        let errors = Support.errors(yaml)
        #expect(errors.paths == ["listeners", "pbx"])
        #expect(errors.at("listeners")?.message.hasPrefix("no listeners") == true)
        #expect(errors.allSatisfy { $0.line == 1 })
    }

    @Test("a document that is not a mapping is one error")
    func notAMapping() {
        let errors = Support.errors("- a\n- b\n")
        #expect(errors.count == 1)
        #expect(errors[0].message == "expected a mapping of keys to values, found a list")
        #expect(errors[0].line == 1)
    }

    @Test(
        "YAML syntax errors give their line",
        arguments: [
            ("listeners:\n  - listen: udp:127.0.0.1:5070\npbx: [udp:127.0.0.20:5080\n", 4),
            ("listeners:\n  - listen: udp:127.0.0.1:5070\n   bad: indent\n", 3),
            ("listeners:\n\t- listen: x\n", 2),
            ("a: 1\n---\nb: 2\n", 2),
            ("pbx: \"unterminated\n", 2),
            ("a: *nowhere\n", 1),
        ])
    func syntaxError(yaml: String, line: Int) {
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(errors.first?.line == line)
        #expect(errors.first?.message.hasPrefix("YAML syntax error: ") == true)
        #expect(errors.first?.description.hasPrefix("test.yaml:\(line):") == true)
    }

    @Test("duplicate keys are rejected at the first occurrence")
    func duplicateKeys() {
        let yaml = Support.minimal + "\nremote_phones: true\nremote_phones: false\n"
        let errors = Support.errors(yaml)
        #expect(errors.count == 1)
        #expect(errors.first?.message == "duplicate key 'remote_phones' in one mapping")
        #expect(errors.first?.line == Support.line(of: "remote_phones", in: yaml))
    }

    @Test("several problems are all reported, in file order, one per line of the description")
    func severalErrors() {
        let yaml = """
            listeners:
              - listen: udp:127.0.0.1:5070
                zone: dmz
            pbx: udp:127.0.0.20:5080
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:5090
                weight: -1
                probe: { interval: 0 }
            routes:
              - prefix: 44x
                trunks: [carier]
            logging:
              level: verbose
            remote_phone: true
            """
        let errors = Support.errors(yaml, source: "tollgate.yaml")
        #expect(
            errors.paths == [
                "listeners[0].zone", "trunks[0].weight", "trunks[0].probe.interval", "routes[0].prefix",
                "routes[0].trunks[0]", "logging.level", "remote_phone",
            ])
        #expect(errors.map { $0.line ?? 0 } == [3, 8, 9, 11, 12, 14, 15])
        do {
            _ = try TollgateConfig(yaml: yaml, source: "tollgate.yaml")
            Issue.record("expected errors")
        } catch {
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 7)
            #expect(lines[1] == "tollgate.yaml:8:13: trunks[0].weight: must be 0 or more, found -1")
            #expect(
                lines[4] == "tollgate.yaml:12:14: routes[0].trunks[0]: unknown trunk 'carier' (did you mean 'carrier'?)"
            )
        }
    }
}
