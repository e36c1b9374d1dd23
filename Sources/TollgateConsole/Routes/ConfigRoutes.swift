import Foundation
import Hummingbird
import TollgateConfig
import TollgateModel

/// Editing the configuration from the console, for admins: a section at a time (routes, trunks,
/// fallback, Shield, fraud control), checked by the same validator as `tollgate config check`
/// (problems by field and line), shown as a diff, saved only after the password is given again,
/// written atomically with the previous version kept, and applied as SIGHUP applies a file;
/// any kept version can be restored the same way.
extension RouteTable {
    mutating func addConfigEditing() {
        let console = self.console

        page(.get, "/config", .role(.admin)) { _, context in
            try console.configPage(context: context, notice: nil, message: nil)
        }

        page(.post, "/config/preview", .role(.admin)) { input, context in
            let editor = try console.configEditor()
            let section = input["section"] ?? ""
            var block = input["block"] ?? ""
            do throws(ConfigFileEditor.Refusal) {
                let current = try editor.text()
                block = try Self.formBlock(input, current: current) ?? block
                let (proposed, _) = try editor.proposed(section: section, block: block)
                let diff = LineDiff.lines(from: ConfigFileEditor.section(section, in: current), to: ConfigFileEditor.section(section, in: proposed))
                let content: [String: Any] = ["section": section, "block": block, "diff": diff.map(\.rendered), "unchanged": diff.isEmpty,
                                              "live": ConfigFileEditor.appliesLive(section)]
                return console.pages.respond("config-preview", PageModel(title: "Check the change to \(section)", caller: context.caller, content: content,
                                                                         current: "/config"))
            } catch {
                return try console.configPage(context: context, notice: nil, message: "The change to \(section) was not saved.",
                                              problems: Self.problems(error), editing: (section, block), status: .badRequest)
            }
        }

        page(.post, "/config/save", .role(.admin), needsPassword: true) { input, context in
            let editor = try console.configEditor()
            let section = input["section"] ?? ""
            let saved: (current: String, proposed: String, kept: String)
            do throws(ConfigFileEditor.Refusal) {
                let current = try editor.text()
                let (proposed, _) = try editor.proposed(section: section, block: input["block"] ?? "")
                saved = (current, proposed, try editor.write(proposed, at: console.now()))
            } catch {
                return try console.configPage(context: context, notice: nil, message: "The change to \(section) was not saved.",
                                              problems: Self.problems(error), editing: (section, input["block"] ?? ""), status: .badRequest)
            }
            do {
                let (current, proposed, kept) = saved
                console.reload?()
                await console.audit(context.caller?.actor ?? "?", from: context.sourceText, "config.edit", target: section,
                                    before: ConfigFileEditor.section(section, in: current), after: ConfigFileEditor.section(section, in: proposed))
                let when = ConfigFileEditor.appliesLive(section) ? "It is in force now." : "It takes effect when the gateway restarts."
                return try console.configPage(context: context, notice: "Saved \(section); the file before is kept as \(kept). \(when)", message: nil)
            }
        }

        page(.post, "/config/rollback", .role(.admin), needsPassword: true) { input, context in
            let editor = try console.configEditor()
            let name = input["version"] ?? ""
            let restoredAs: (current: String, kept: String)
            do throws(ConfigFileEditor.Refusal) {
                let current = try editor.text()
                let restored = try editor.version(name)
                do throws(ConfigErrors) { _ = try editor.check(restored) } catch { throw ConfigFileEditor.Refusal.invalid(error.errors) }
                restoredAs = (current, try editor.write(restored, at: console.now()))
            } catch {
                return try console.configPage(context: context, notice: nil, message: "\(name) was not restored.", problems: Self.problems(error),
                                              status: .badRequest)
            }
            do {
                let (current, kept) = restoredAs
                console.reload?()
                await console.audit(context.caller?.actor ?? "?", from: context.sourceText, "config.rollback", target: name,
                                    before: "\(current.split(separator: "\n").count) lines", after: "restored \(name); the file before is kept as \(kept)")
                return try console.configPage(context: context, notice: "Restored \(name); the file before is kept as \(kept). Routes, Shield and fraud rules are in force now; trunks at the next restart.",
                                              message: nil)
            }
        }
    }

    /// The section a form made (`form=routes`: the routing table's rows; `form=lists`: Shield's allow
    /// and deny lists), or `nil` when the section came as YAML.
    static func formBlock(_ input: ConsoleInput, current: String) throws(ConfigFileEditor.Refusal) -> String? {
        switch input["form"] {
        case "routes":
            let rows = (0..<ConfigForms.maximumRows).map { index in
                ConfigForms.RouteRow(name: input["route-\(index)-name"] ?? "", prefix: input["route-\(index)-prefix"] ?? "",
                                     trunks: input["route-\(index)-trunks"] ?? "", strip: input["route-\(index)-strip"] ?? "",
                                     prepend: input["route-\(index)-prepend"] ?? "")
            }
            return ConfigForms.routesBlock(rows)
        case "fraud":
            let classes = (0..<ConfigForms.maximumRows).map { index in
                ConfigForms.ServiceClassRow(name: input["class-\(index)-name"] ?? "", allow: input["class-\(index)-allow"] ?? "",
                                            countries: input["class-\(index)-countries"] ?? "")
            }
            var levels: [String: (warning: String, critical: String)] = [:]
            for (rule, _) in ConfigForms.thresholdRules {
                levels[rule] = (input["\(rule)-warning"] ?? "", input["\(rule)-critical"] ?? "")
            }
            return try ConfigForms.fraudBlock(current: ConfigFileEditor.section("fraud", in: current), defaultClass: input["default_class"] ?? "",
                                              classes: classes, levels: levels)
        case "lists":
            return try ConfigForms.shieldBlock(current: ConfigFileEditor.section("shield", in: current), allow: ConfigForms.entries(input["allow"] ?? ""),
                                               deny: ConfigForms.entries(input["deny"] ?? ""))
        default:
            return nil
        }
    }

    /// The problems of a refused change, one per line, by field and line.
    static func problems(_ error: ConfigFileEditor.Refusal) -> [String] {
        if case .invalid(let errors) = error {
            return errors.map { error in
                var text = ""
                if let line = error.line { text += "line \(line): " }
                if let path = error.path { text += "\(path): " }
                return text + error.message
            }
        }
        return [error.description]
    }
}

extension ConfigFileEditor {
    /// Whether a saved section is in force at once (SIGHUP reloads it) or at the next restart.
    public static func appliesLive(_ section: String) -> Bool { ["routes", "fallback", "shield", "fraud"].contains(section) }
}

extension Console {
    func configEditor() throws(ConsoleError) -> ConfigFileEditor {
        guard let editor else {
            throw ConsoleError(.conflict, "the gateway was started without a configuration file (flags only): there is no file to edit")
        }
        return editor
    }

    func configPage(context: ConsoleContext, notice: String?, message: String?, problems: [String] = [], editing: (String, String)? = nil,
                    status: HTTPResponse.Status = .ok) throws(ConsoleError) -> Response {
        guard let editor else {
            return pages.respond("config", PageModel(title: "Configuration", caller: context.caller,
                                                     message: "The gateway was started without a configuration file (flags only): there is no file to edit.",
                                                     notice: notice, content: ["sections": [], "versions": []], current: "/config"))
        }
        let text: String
        do { text = try editor.text() } catch { throw ConsoleError(.serviceUnavailable, error.description) }
        let sections = ConfigFileEditor.sections.map { name -> [String: Any] in
            let block = editing?.0 == name ? editing?.1 ?? "" : ConfigFileEditor.section(name, in: text)
            return ["name": name, "block": block.isEmpty ? "\(name):\n" : block, "live": ConfigFileEditor.appliesLive(name),
                    "rows": max(4, min(30, block.split(separator: "\n").count + 2))]
        }
        let parsed = try? editor.check(text)
        var rows = ConfigForms.rows(parsed?.routes ?? [])
        rows += Array(repeating: ConfigForms.RouteRow(), count: 3)
        let routeRows = rows.prefix(ConfigForms.maximumRows).enumerated().map { index, row -> [String: Any] in
            ["index": index, "name": row.name, "prefix": row.prefix, "trunks": row.trunks, "strip": row.strip, "prepend": row.prepend]
        }
        let lists: [String: Any] = ["allow": parsed?.shield.allow.map(\.description).joined(separator: "\n") ?? "",
                                    "deny": parsed?.shield.deny.map(\.description).joined(separator: "\n") ?? ""]
        var classRows = ConfigForms.serviceClassRows(parsed?.fraud.classesOfService ?? [:])
        classRows += Array(repeating: ConfigForms.ServiceClassRow(), count: 2)
        let levels = parsed.map { ConfigForms.thresholdLevels($0.fraud.thresholds) } ?? [:]
        let fraudForm: [String: Any] = [
            "defaultClass": parsed?.fraud.defaultClassOfService ?? "",
            "classes": classRows.prefix(ConfigForms.maximumRows).enumerated().map { index, row -> [String: Any] in
                ["index": index, "name": row.name, "allow": row.allow, "countries": row.countries]
            },
            "thresholds": ConfigForms.thresholdRules.map { rule -> [String: Any] in
                ["key": rule.key, "label": rule.label, "warning": levels[rule.key]?.warning ?? "", "critical": levels[rule.key]?.critical ?? ""]
            },
        ]
        let content: [String: Any] = ["routeRows": routeRows, "lists": lists, "fraudForm": parsed == nil ? [] : [fraudForm], "trunkNames": parsed?.trunks.map(\.name).joined(separator: ", ") ?? "",
                                      "sections": sections, "problems": problems, "hasProblems": !problems.isEmpty, "versions": editor.versions().prefix(20).map { $0 }, "path": editor.path]
        return pages.respond("config", PageModel(title: "Configuration", caller: context.caller, message: message, notice: notice, content: content,
                                                 current: "/config"), status: status)
    }
}
