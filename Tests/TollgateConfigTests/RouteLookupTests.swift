import Testing

@testable import TollgateConfig

@Suite("Route lookup by dialled number")
struct RouteLookupTests {
    let config: TollgateConfig

    init() throws {
        config = try TollgateConfig(
            yaml: """
                listeners:
                  - listen: udp:127.0.0.1:5070
                pbx: udp:127.0.0.20:5080
                trunks:
                  - name: cheap
                    endpoint: udp:127.0.0.10:5090
                  - name: premium
                    endpoint: udp:127.0.0.11:5090
                routes:
                  - name: default
                    prefix: ""
                    trunks: [cheap]
                  - name: international
                    prefix: "00"
                    trunks: [premium, cheap]
                    strip_digits: 2
                    prepend_digits: "+"
                  - name: uk-mobile
                    prefix: "00447"
                    trunks: [premium]
                  - name: e164-uk
                    prefix: "+44"
                    trunks: [premium]
                  - name: e164
                    prefix: "+"
                    trunks: [cheap]
                """)
    }

    @Test(
        "the longest matching prefix wins",
        arguments: [
            ("00447700900123", "uk-mobile"),
            ("0033123456789", "international"),
            ("02079460000", "default"),
            ("123", "default"),
        ])
    func longestPrefix(number: String, rule: String) {
        #expect(config.route(for: number)?.rule.name == rule)
    }

    @Test(
        "spaces, dashes and parentheses are ignored",
        arguments: [
            ("0044 7700 900123", "uk-mobile"),
            ("00-44-(7700)-900123", "uk-mobile"),
            ("+44 (20) 7946-0000", "e164-uk"),
        ])
    func separatorsIgnored(number: String, rule: String) {
        #expect(config.route(for: number)?.rule.name == rule)
    }

    @Test("'+' is compared literally: +44 is not 0044, and '+' alone catches other E.164 numbers")
    func plusHandling() {
        #expect(config.route(for: "+442079460000")?.rule.name == "e164-uk")
        #expect(config.route(for: "+33123456789")?.rule.name == "e164")
        #expect(config.route(for: "442079460000")?.rule.name == "default")
    }

    @Test("the trunks come in the rule's order of preference")
    func trunkOrder() {
        #expect(config.route(for: "0033123")?.trunks.map(\.name) == ["premium", "cheap"])
    }

    @Test("no match: not a number, or no rule covers it", arguments: ["", "alice", "12a3", "+", "1+2", "*97", "  "])
    func noMatchForNonNumbers(number: String) {
        #expect(config.route(for: number) == nil)
    }

    @Test("without a default route, an uncovered number has no route")
    func noDefaultRoute() throws {
        var config = config
        config.routes.removeAll { $0.prefix.isEmpty }
        #expect(config.route(for: "02079460000") == nil)
        #expect(config.route(for: "0033123")?.rule.name == "international")
    }

    @Test("rewrite strips then prepends")
    func rewrite() throws {
        let rule = try #require(config.route(for: "00 33 1 23")?.rule)
        #expect(rule.rewrite("00 33 1 23") == "+33123")
        #expect(RouteRule(prefix: "9", trunks: [], stripDigits: 1).rewrite("9-555-0100") == "5550100")
        #expect(RouteRule(prefix: "", trunks: [], stripDigits: 99, prependDigits: "0").rewrite("123") == "0")
    }
}
