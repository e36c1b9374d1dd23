import Foundation
import NIOConcurrencyHelpers
import Testing
import TollgateConfig
@testable import TollgateConsole
import TollgateModel

/// A configuration file in a temporary folder, and an editor for it that validates as `serve` does.
struct ConfigFileFixture {
    static let text = """
        # The office gateway.
        listeners:
          - listen: udp:127.0.0.1:5070
        pbx: udp:127.0.0.20:5080

        # Carriers.
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090
            credentials: { username: office, password: "s3cret-pa55" }
          - name: backup
            endpoint: udp:127.0.0.11:5090
            credentials:
              username: office2
              password: other-secret
        routes:
          - { prefix: "44", trunks: [carrier, backup] }
        shield:
          enabled: true
        """

    let folder: URL
    let path: String
    let editor: ConfigFileEditor

    init(text: String = ConfigFileFixture.text) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-config-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("tollgate.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let path = self.path
        editor = ConfigFileEditor(path: path) { text throws(ConfigErrors) in try TollgateConfig(yaml: text, source: path) }
    }
}

@Suite("Editing the configuration file a section at a time")
struct ConfigFileEditorTests {
    @Test("a section is shown without its passwords, and replacing it keeps comments and the other sections as they were")
    func sections() throws {
        let fixture = try ConfigFileFixture()
        let trunks = ConfigFileEditor.section("trunks", in: ConfigFileFixture.text)
        #expect(trunks.hasPrefix("trunks:\n  - name: carrier") && !trunks.contains("s3cret") && !trunks.contains("other-secret"))
        #expect(trunks.components(separatedBy: "\"(unchanged)\"").count == 3)
        #expect(ConfigFileEditor.section("routes", in: ConfigFileFixture.text) == "routes:\n  - { prefix: \"44\", trunks: [carrier, backup] }")
        #expect(ConfigFileEditor.section("fraud", in: ConfigFileFixture.text).isEmpty)
        let routes = "routes:\n  - { prefix: \"44\", trunks: [backup] }\n  - { prefix: \"\", trunks: [carrier] }"
        let (text, config) = try fixture.editor.proposed(section: "routes", block: routes)
        #expect(config.routes.map(\.prefix) == ["44", ""] && config.routes.first?.trunks == ["backup"])
        #expect(text.contains("# The office gateway.") && text.contains("# Carriers.") && text.contains("password: \"s3cret-pa55\""))
        #expect(text.contains("shield:\n  enabled: true"))
        // A section the file lacks is added at the end.
        let (withFraud, _) = try fixture.editor.proposed(section: "fraud", block: "fraud:\n  enabled: true")
        #expect(withFraud.hasSuffix("fraud:\n  enabled: true\n"))
    }

    @Test("passwords left as (unchanged) are each trunk's own, also when the trunks are reordered; a new trunk must be given one")
    func passwordsKept() throws {
        let fixture = try ConfigFileFixture()
        var shown = ConfigFileEditor.section("trunks", in: ConfigFileFixture.text)
        // Reorder: backup first.
        let carrier = "  - name: carrier\n    endpoint: udp:127.0.0.10:5090\n    credentials: { username: office, password: \"(unchanged)\" }"
        shown = shown.replacingOccurrences(of: carrier + "\n", with: "") + "\n" + carrier
        let (_, config) = try fixture.editor.proposed(section: "trunks", block: shown)
        #expect(config.trunks.map(\.name) == ["backup", "carrier"])
        #expect(config.trunks.map { $0.credentials?.password } == ["other-secret", "s3cret-pa55"])
        let renamed = shown.replacingOccurrences(of: "name: carrier", with: "name: newcarrier")
            .replacingOccurrences(of: "trunks: [carrier, backup]", with: "trunks: [newcarrier, backup]")
        #expect(throws: ConfigFileEditor.Refusal.passwordNeeded(trunk: "newcarrier")) { try fixture.editor.proposed(section: "trunks", block: renamed) }
    }

    @Test("a change that breaks the file is refused with each problem's path and line; a block that is not the section is refused")
    func invalid() throws {
        let fixture = try ConfigFileFixture()
        do {
            _ = try fixture.editor.proposed(section: "routes", block: "routes:\n  - { prefix: \"44\", trunks: [nowhere] }")
            Issue.record("an unknown trunk was accepted")
        } catch {
            guard case .invalid(let errors) = error else { Issue.record("\(error)"); return }
            #expect(errors.contains { $0.path?.hasPrefix("routes[0]") == true && $0.line != nil && $0.message.contains("nowhere") })
        }
        #expect(throws: ConfigFileEditor.Refusal.notASection("routes")) { try fixture.editor.proposed(section: "routes", block: "trunks: []") }
        #expect(throws: ConfigFileEditor.Refusal.unknownSection("listeners")) { try fixture.editor.proposed(section: "listeners", block: "listeners: []") }
    }

    @Test("writing keeps the file before as a version; a version is read back; the diff shows what changed")
    func versions() throws {
        let fixture = try ConfigFileFixture()
        let (text, _) = try fixture.editor.proposed(section: "shield", block: "shield:\n  enabled: false")
        let kept = try fixture.editor.write(text, at: Date(timeIntervalSince1970: 1_796_000_000))
        #expect(try String(contentsOfFile: fixture.path, encoding: .utf8) == text)
        #expect(fixture.editor.versions() == [kept])
        #expect(try fixture.editor.version(kept) == ConfigFileFixture.text)
        #expect(throws: ConfigFileEditor.Refusal.noSuchVersion("../tollgate.yaml")) { try fixture.editor.version("../tollgate.yaml") }
        let diff = LineDiff.lines(from: ConfigFileFixture.text, to: text).map(\.rendered)
        #expect(diff.contains("-   enabled: true") && diff.contains("+   enabled: false") && diff.contains("  shield:"))
        #expect(LineDiff.lines(from: text, to: text).isEmpty)
    }

    @Test("a file that cannot be written is refused with the reason, and the file stays as it was")
    func writeFails() throws {
        let fixture = try ConfigFileFixture()
        // Where the versions folder should go, a file: the version before cannot be kept, so nothing is written.
        try "in the way".write(toFile: fixture.editor.versionsFolder, atomically: true, encoding: .utf8)
        let (text, _) = try fixture.editor.proposed(section: "shield", block: "shield:\n  enabled: false")
        do {
            try fixture.editor.write(text, at: Date(timeIntervalSince1970: 1_796_000_000))
            Issue.record("a write without its kept version succeeded")
        } catch {
            guard case .file(let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains(fixture.path))
        }
        #expect(try String(contentsOfFile: fixture.path, encoding: .utf8) == ConfigFileFixture.text)
    }
}

@Suite("Editing the configuration in the console")
struct ConsoleConfigTests {
    @Test("an admin checks a change (a diff), saves it only with the password, and it is written, versioned, applied and logged; then restores the version before")
    func edit() async throws {
        let fixture = try ConfigFileFixture()
        let reloads = NIOLockedValueBox(0)
        try await ConsoleLab.with(editor: fixture.editor, reload: { reloads.withLockedValue { $0 += 1 } }) { lab in
            try await lab.addUser("ada", role: .admin)
            try await lab.addUser("otto", role: .operator)
            let (cookie, csrf) = try await lab.session(for: "ada")
            let client = lab.client()
            let page = try await client.get("/config", cookie: cookie)
            #expect(page.status == 200 && page.body.contains("trunks:") && !page.body.contains("s3cret") && page.body.contains("(unchanged)"))
            let (operatorCookie, operatorCSRF) = try await lab.session(for: "otto")
            #expect(try await client.get("/config", cookie: operatorCookie).status == 403)
            #expect(try await client.post("/config/save", form: [("csrf", operatorCSRF), ("section", "shield"), ("block", "shield:\n  enabled: false")],
                                          cookie: operatorCookie).status == 403)

            // The routes form: a row per route.
            let routesForm = try await client.post("/config/preview", form: [("csrf", csrf), ("section", "routes"), ("form", "routes"),
                                                                              ("route-0-prefix", "44"), ("route-0-trunks", "backup"),
                                                                              ("route-1-prefix", ""), ("route-1-trunks", "carrier")], cookie: cookie)
            #expect(routesForm.status == 200 && routesForm.body.contains("+   - { prefix: &quot;44&quot;, trunks: [&quot;backup&quot;] }"),
                    "\(routesForm.body.suffix(1200))")
            #expect(try await client.get("/config", cookie: cookie).body.contains("name=\"route-0-trunks\" value=\"carrier, backup\""))
            // The fraud form: the file has no fraud section; the defaults are shown and a change makes one.
            let config = try await client.get("/config", cookie: cookie).body
            #expect(config.contains("name=\"calls_per_minute-warning\" value=\"") && config.contains("name=\"default_class\" value=\"national\""))
            let fraudForm = try await client.post("/config/preview", form: [("csrf", csrf), ("section", "fraud"), ("form", "fraud"),
                                                                             ("default_class", "national"), ("calls_per_minute-warning", "3"),
                                                                             ("calls_per_minute-critical", "9")], cookie: cookie)
            #expect(fraudForm.status == 200 && fraudForm.body.contains("+ fraud:"), "\(fraudForm.body.suffix(800))")

            let block = "shield:\n  enabled: false"
            let preview = try await client.post("/config/preview", form: [("csrf", csrf), ("section", "shield"), ("block", block)], cookie: cookie)
            #expect(preview.status == 200 && preview.body.contains("-   enabled: true") && preview.body.contains("+   enabled: false"))
            let bad = try await client.post("/config/preview", form: [("csrf", csrf), ("section", "routes"), ("block", "routes:\n  - { prefix: x, trunks: [nowhere] }")],
                                            cookie: cookie)
            #expect(bad.status == 400 && bad.body.contains("routes[0]") && bad.body.contains("nowhere"), "\(bad.status) \(bad.body.prefix(1500))")

            let unconfirmed = try await client.post("/config/save", form: [("csrf", csrf), ("section", "shield"), ("block", block), ("password", "wrong one")],
                                                    cookie: cookie)
            #expect(unconfirmed.status == 403 && unconfirmed.body.contains("password again"))
            #expect(try String(contentsOfFile: fixture.path, encoding: .utf8) == ConfigFileFixture.text)
            let saved = try await client.post("/config/save", form: [("csrf", csrf), ("section", "shield"), ("block", block), ("password", ConsoleLab.password)],
                                              cookie: cookie)
            #expect(saved.status == 200 && saved.body.contains("Saved shield"), "\(saved.body.suffix(600))")
            #expect(try String(contentsOfFile: fixture.path, encoding: .utf8).contains("shield:\n  enabled: false"))
            #expect(reloads.withLockedValue { $0 } == 1)
            let version = try #require(fixture.editor.versions().first)
            let log = try await lab.store.auditEntries(since: nil, limit: 10)
            #expect(log.map(\.action) == ["reauth.failed", "config.edit"])
            #expect(log.last?.before == "shield:\n  enabled: true" && log.last?.after == "shield:\n  enabled: false" && log.last?.target == "shield")

            let restored = try await client.post("/config/rollback", form: [("csrf", csrf), ("version", version), ("password", ConsoleLab.password)],
                                                 cookie: cookie)
            #expect(restored.status == 200 && restored.body.contains("Restored"))
            #expect(try String(contentsOfFile: fixture.path, encoding: .utf8) == ConfigFileFixture.text)
            #expect(reloads.withLockedValue { $0 } == 2 && fixture.editor.versions().count == 2)
        }
    }
}

@Suite("The configuration forms")
struct ConfigFormsTests {
    @Test("route rows become the routes section in their order, empty rows left out, and the file validates it as typed")
    func routes() throws {
        let fixture = try ConfigFileFixture()
        let block = ConfigForms.routesBlock([
            ConfigForms.RouteRow(name: "uk mobile", prefix: "447", trunks: "backup, carrier", strip: "", prepend: ""),
            ConfigForms.RouteRow(),
            ConfigForms.RouteRow(prefix: "", trunks: "carrier", strip: "1", prepend: "0044"),
        ])
        #expect(block == """
            routes:
              - { name: "uk mobile", prefix: "447", trunks: ["backup", "carrier"] }
              - { prefix: "", trunks: ["carrier"], strip_digits: 1, prepend_digits: "0044" }
            """)
        let (_, config) = try fixture.editor.proposed(section: "routes", block: block)
        #expect(config.routes.map(\.trunks) == [["backup", "carrier"], ["carrier"]] && config.routes.last?.prependDigits == "0044")
        #expect(ConfigForms.rows(config.routes).first == ConfigForms.RouteRow(name: "uk mobile", prefix: "447", trunks: "backup, carrier"))
        // Text where a number belongs is shown to the validator as typed, and refused there.
        let wrong = ConfigForms.routesBlock([ConfigForms.RouteRow(prefix: "44", trunks: "carrier", strip: "two")])
        #expect(throws: ConfigFileEditor.Refusal.self) { try fixture.editor.proposed(section: "routes", block: wrong) }
        #expect(ConfigForms.routesBlock([ConfigForms.RouteRow()]) == "routes: []")
    }

    @Test("the allow and deny lists replace Shield's lists and keep its other settings")
    func lists() throws {
        let fixture = try ConfigFileFixture()
        let current = "shield:\n  enabled: true\n  never_ban: [192.0.2.9]\n  deny: [203.0.113.0/24]"
        let block = try ConfigForms.shieldBlock(current: current, allow: ConfigForms.entries("192.0.2.0/24\n\n 198.51.100.7 "), deny: [])
        let (_, config) = try fixture.editor.proposed(section: "shield", block: block)
        #expect(config.shield.allow.map(\.description) == ["192.0.2.0/24", "198.51.100.7/32"] && config.shield.deny.isEmpty)
        #expect(config.shield.enabled && block.contains("never_ban"))
        let bad = try ConfigForms.shieldBlock(current: current, allow: ["not-an-address"], deny: [])
        #expect(throws: ConfigFileEditor.Refusal.self) { try fixture.editor.proposed(section: "shield", block: bad) }
    }
}

@Suite("The fraud control form")
struct FraudFormTests {
    static let fraud = """
        fraud:
          numbering: { country_code: "44" }
          default_class_of_service: national
          thresholds:
            calls_per_minute: { warning: 6, critical: 12 }
            short_calls: { warning: 4, critical: 8, max_seconds: 10, prefix_digits: 6, window: 3600 }
        """

    @Test("classes of service and threshold levels from the form replace those of the section, numbering and the short-call window kept")
    func block() throws {
        let fixture = try ConfigFileFixture(text: ConfigFileFixture.text + "\n" + Self.fraud + "\n")
        let block = try ConfigForms.fraudBlock(
            current: Self.fraud, defaultClass: "office",
            classes: [ConfigForms.ServiceClassRow(name: "office", allow: "internal, national, mobile"),
                      ConfigForms.ServiceClassRow(name: "sales", allow: "internal, national, mobile, international", countries: "33, 49"),
                      ConfigForms.ServiceClassRow()],
            levels: ["calls_per_minute": ("5", "10"), "short_calls": ("", "6"), "minutes_per_day": ("240", "480.5")])
        let (_, config) = try fixture.editor.proposed(section: "fraud", block: block)
        #expect(config.fraud.defaultClassOfService == "office")
        #expect(config.fraud.classesOfService["sales"]?.countries == ["33", "49"] && config.fraud.classesOfService["office"]?.allow.count == 3)
        #expect(config.fraud.thresholds.callsPerMinute == FraudConfig.Level(warning: 5, critical: 10))
        #expect(config.fraud.thresholds.shortCalls.level.warning == nil && config.fraud.thresholds.shortCalls.level.critical == 6)
        #expect(config.fraud.thresholds.shortCalls.maxSeconds == 10 && config.fraud.thresholds.minutesPerDay.critical == 480.5)
        #expect(config.fraud.numbering.countryCode == "44")
        let levels = ConfigForms.thresholdLevels(config.fraud.thresholds)
        #expect(levels["calls_per_minute"]?.warning == "5" && levels["minutes_per_day"]?.critical == "480.5")
        // What the validator refuses, it refuses with the field.
        let wrong = try ConfigForms.fraudBlock(current: Self.fraud, defaultClass: "", classes: [], levels: ["calls_per_day": ("many", "")])
        #expect(throws: ConfigFileEditor.Refusal.self) { try fixture.editor.proposed(section: "fraud", block: wrong) }
    }
}
