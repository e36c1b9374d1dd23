import Foundation
import TollgateConfig
import TollgateModel

/// `tollgate report`: the phone system's living document, reviewed every quarter — the inventory
/// with owners and firmware, the update schedule, findings by severity, the call flow drawn from the
/// configuration, Tollgate's posture, the failover drill's last result, an incident runbook with this
/// system's names, and what changed since the last report. One file with inline CSS and SVG, nothing
/// fetched; every value a device or operator wrote is escaped.
public struct LivingDocument: Sendable {
    /// What a report remembers for the next one to compare with.
    public struct Snapshot: Sendable, Codable, Hashable {
        public var date: Date
        /// Device key → firmware ("" when unknown).
        public var devices: [String: String]
        /// `check subject` of each finding.
        public var findings: [String]
    }

    /// Where the console listens, how, and who may reach it.
    static func consoleSummary(_ console: ConsoleConfig) -> String {
        let scheme = console.usesTLS ? "https" : "http"
        let who = console.allow.map { $0.isEmpty ? "nobody" : $0.map(\.description).joined(separator: ", ") } ?? "loopback only"
        return "\(scheme) on \(console.listen.host):\(console.listen.port), reachable from \(who); password and TOTP sign-in, no default user"
    }

    public struct Inputs: Sendable {
        public var config: TollgateConfig
        public var devices: [InventoryDevice]
        public var review: InventoryReview
        /// Findings of `audit config` (and any others the operator adds).
        public var otherFindings: [AuditFinding] = []
        public var activeBans: Int = 0
        public var now: Date
        /// How often devices should be updated and the document reviewed (a quarter by default).
        public var reviewEvery: TimeInterval = 91 * 86_400
        /// Whom to call: `name phone/e-mail` lines.
        public var contacts: [String] = []
        public var previous: Snapshot?
        /// The last failover drill, if one ran.
        public var lastDrill: FailoverDrillResult?

        public init(config: TollgateConfig, devices: [InventoryDevice], review: InventoryReview, now: Date) {
            self.config = config
            self.devices = devices
            self.review = review
            self.now = now
        }
    }

    public let inputs: Inputs
    public let findings: [AuditFinding]
    public let snapshot: Snapshot

    public init(_ inputs: Inputs) {
        self.inputs = inputs
        let deviceFindings = inputs.devices.flatMap { inputs.review.findings(for: $0, at: inputs.now) }
        findings = (deviceFindings + inputs.otherFindings).sorted { $0.severity != $1.severity ? $0.severity > $1.severity : $0.subject < $1.subject }
        snapshot = Snapshot(date: inputs.now, devices: Dictionary(inputs.devices.map { ($0.key, $0.firmware ?? "") }, uniquingKeysWith: { a, _ in a }),
                            findings: findings.map { "\($0.check) \($0.subject)" })
    }

    // MARK: - What the sections hold

    struct ScheduleRow {
        var device: InventoryDevice
        var lastUpdated: Date
        var due: Date
        var overdue: Bool
    }

    var schedule: [ScheduleRow] {
        inputs.devices.map { device in
            let last = device.firmwareChanged ?? device.firstSeen
            let due = last.addingTimeInterval(inputs.reviewEvery)
            return ScheduleRow(device: device, lastUpdated: last, due: due, overdue: due < inputs.now)
        }.sorted { $0.due < $1.due }
    }

    var posture: [(String, String, Bool)] {
        let config = inputs.config
        let tlsListeners = config.listeners.filter { $0.endpoint.transport == .tls }
        let tlsTrunks = config.trunks.filter { $0.endpoint.transport == .tls }
        return [
            ("TLS", tlsListeners.isEmpty ? "no TLS listener: signalling in clear" : "\(tlsListeners.count) TLS listener(s); \(tlsTrunks.count) of \(config.trunks.count) trunks over TLS",
             !tlsListeners.isEmpty),
            ("SRTP", config.media.anchor ? "outside \(config.media.outside.srtp.rawValue), inside \(config.media.inside.srtp.rawValue)" : "media not anchored",
             config.media.anchor && config.media.outside.srtp != .off),
            ("Shield", config.shield.enabled ? "on; \(inputs.activeBans) source(s) banned now" : "off", config.shield.enabled),
            ("Fraud rules", config.fraud.enabled ? "on; \(config.fraud.classesOfService.count) class(es) of service; baselines \(config.fraud.anomalies.enabled ? "on" : "off")" : "off",
             config.fraud.enabled),
            ("Caller identity", config.identity.verifies ? "STIR/SHAKEN verified (\(config.identity.trustAnchors.count) trust anchor file(s))" : "not verified",
             config.identity.verifies),
            ("Topology hiding", config.topologyHiding.enabled ? "on" : "off", config.topologyHiding.enabled),
            ("Remote phones", config.remotePhones ? "allowed (SIP open to any address; Shield judges)" : "off (SIP only from trunks)", !config.remotePhones),
            ("Console", config.console.map(Self.consoleSummary) ?? "not configured", config.console.map { $0.allow != nil || $0.isLoopback } ?? true),
        ]
    }

    var changes: [String] {
        guard let previous = inputs.previous else { return [] }
        var lines: [String] = []
        let now = snapshot.devices
        for key in now.keys.sorted() where previous.devices[key] == nil { lines.append("new device \(key)") }
        for key in previous.devices.keys.sorted() where now[key] == nil { lines.append("device gone: \(key)") }
        for (key, firmware) in now.sorted(by: { $0.key < $1.key }) {
            if let before = previous.devices[key], before != firmware { lines.append("\(key): firmware \(before.isEmpty ? "unknown" : before) → \(firmware.isEmpty ? "unknown" : firmware)") }
        }
        let before = Set(previous.findings)
        let current = Set(snapshot.findings)
        for finding in current.subtracting(before).sorted() { lines.append("new finding: \(finding)") }
        for finding in before.subtracting(current).sorted() { lines.append("resolved: \(finding)") }
        return lines
    }

    var runbook: [(String, [String])] {
        let config = inputs.config
        let extensions = inputs.devices.filter { !$0.ext.isEmpty }.map(\.ext)
        let example = extensions.first ?? "201"
        let trunks = config.trunks.sorted { $0.priority < $1.priority }
        return [
            ("An account is making fraudulent calls", [
                "tollgate account suspend \(example) --reason \"calls to premium numbers at night\"   (every call from it is refused at once)",
                "tollgate cdr list --account \(example) --since 1d   (what it called)",
                "tollgate account resume \(example)   (once its password is changed on the PBX)",
            ]),
            ("An address is attacking", [
                "tollgate ban add ADDRESS --for 7d --reason \"password guessing\"",
                "tollgate events --source ADDRESS --since 1h   (what it did)",
                "tollgate ban list",
            ]),
            ("A trunk is down or must be taken out", [
                "Tollgate fails over by itself when a trunk stops answering its probes (a trunk-down event); the order is "
                    + (trunks.isEmpty ? "(no trunks configured)" : trunks.map { "\($0.name) (priority \($0.priority))" }.joined(separator: ", ")) + ".",
                "To take a trunk out by hand, give it a higher priority number in the configuration and restart Tollgate.",
            ]),
            ("Whom to call", inputs.contacts.isEmpty ? ["(no contacts given: add them with tollgate report --contact \"NAME PHONE\")"] : inputs.contacts),
        ]
    }

    static func day(_ date: Date) -> String { LifecycleTable.day(date) }

    // MARK: - HTML

    public func html() -> String {
        let e = HTMLText.escape
        let now = inputs.now
        var out = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Phone system living document \(Self.day(now))</title>
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <style>
            body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}
            h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
            table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
            th{background:#f4f4f4}.critical{color:#fff;background:#c9302c}.high{background:#f0ad4e}.medium{background:#fcf8e3}
            .low,.info{background:#f4f4f4}.sev{font-weight:bold;padding:1px 6px;border-radius:3px;white-space:nowrap}
            .ok{color:#3c763d}.bad{color:#a94442}.overdue{color:#a94442;font-weight:bold}code{background:#f4f4f4;padding:1px 4px}
            </style></head><body>
            <h1>Phone system living document</h1>
            <p>Reviewed <b>\(Self.day(now))</b>; next review due <b>\(Self.day(now.addingTimeInterval(inputs.reviewEvery)))</b>.
            Written by Tollgate from its inventory, its configuration and its checks.</p>

            """
        // Inventory.
        out += "<section id=\"inventory\"><h2>Inventory</h2><table><tr><th>Device</th><th>Role</th><th>Vendor</th><th>Model</th><th>Firmware</th>"
            + "<th>Owner</th><th>Department</th><th>Location</th><th>Last seen</th></tr>"
        for device in inputs.devices {
            out += "<tr><td>\(e(device.key))</td><td>\(device.role.rawValue)</td><td>\(e(device.vendor ?? "-"))</td><td>\(e(device.model ?? "-"))</td>"
                + "<td>\(e(device.firmware ?? "-"))</td><td>\(e(device.owner ?? "-"))</td><td>\(e(device.department ?? "-"))</td>"
                + "<td>\(e(device.location ?? "-"))</td><td>\(Self.day(device.lastSeen))</td></tr>"
        }
        if inputs.devices.isEmpty { out += "<tr><td colspan=\"9\">no devices yet</td></tr>" }
        out += "</table></section>\n"
        // Schedule.
        let rows = schedule
        out += "<section id=\"schedule\"><h2>Update schedule</h2><p>Every device is to be updated every \(Int(inputs.reviewEvery / 86_400)) days; "
            + "\(rows.filter(\.overdue).count) are overdue.</p><table><tr><th>Device</th><th>Firmware</th><th>Last updated</th><th>Due</th></tr>"
        for row in rows {
            out += "<tr><td>\(e(row.device.key))</td><td>\(e(row.device.firmware ?? "-"))</td><td>\(Self.day(row.lastUpdated))</td>"
                + "<td\(row.overdue ? " class=\"overdue\"" : "")>\(Self.day(row.due))\(row.overdue ? " (overdue)" : "")</td></tr>"
        }
        out += "</table></section>\n"
        // Findings.
        out += "<section id=\"findings\"><h2>Findings</h2>"
        if findings.isEmpty { out += "<p class=\"ok\">No findings.</p>" }
        for severity in AuditFinding.Severity.allCases.reversed() {
            let group = findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += "<h3>\(severity.rawValue.capitalized) (\(group.count))</h3><table><tr><th>Where</th><th>Check</th><th>Why</th><th>Fix</th></tr>"
            for finding in group {
                out += "<tr><td>\(e(finding.subject))</td><td><span class=\"sev \(severity.rawValue)\">\(e(finding.check))</span></td>"
                    + "<td>\(e(finding.why))</td><td>\(e(finding.fix))</td></tr>"
            }
            out += "</table>"
        }
        out += "</section>\n"
        // Call flow.
        out += "<section id=\"call-flow\"><h2>Call flow</h2>"
            + CallFlowDiagram.svg(config: inputs.config, extensionCount: inputs.devices.filter { !$0.ext.isEmpty }.count) + "</section>\n"
        // Posture.
        out += "<section id=\"posture\"><h2>Tollgate's posture</h2><table>"
        for (name, value, good) in posture { out += "<tr><th>\(e(name))</th><td class=\"\(good ? "ok" : "bad")\">\(e(value))</td></tr>" }
        out += "</table></section>\n"
        // Drill.
        out += "<section id=\"drill\"><h2>Failover drill</h2>"
        if let drill = inputs.lastDrill {
            out += "<p class=\"\(drill.passed ? "ok" : "bad")\">Last drill \(Self.day(drill.time)), route of \(e(drill.testNumber)): "
                + "\(drill.passed ? "passed" : "failed")\(drill.time < now.addingTimeInterval(-inputs.reviewEvery) ? " (older than the review period: drill again)" : "").</p><ul>"
                + drill.steps.map { "<li class=\"\($0.passed ? "ok" : "bad")\">\($0.passed ? "PASS" : "FAIL") \(e($0.detail))</li>" }.joined() + "</ul>"
        } else {
            out += "<p class=\"bad\">No failover drill has been recorded: the failover plan of \(inputs.config.trunks.count) trunk(s) is untested "
                + "(<code>tollgate drill failover</code>).</p>"
        }
        out += "</section>\n"
        // Runbook.
        out += "<section id=\"runbook\"><h2>Incident response</h2>"
        for (title, steps) in runbook {
            out += "<h3>\(e(title))</h3><ul>" + steps.map { "<li><code>\(e($0))</code></li>" }.joined() + "</ul>"
        }
        out += "</section>\n"
        // Changes.
        out += "<section id=\"changes\"><h2>Changes since the last report</h2>"
        if let previous = inputs.previous {
            let lines = changes
            out += "<p>Last report: \(Self.day(previous.date)).</p>"
            out += lines.isEmpty ? "<p>Nothing changed.</p>" : "<ul>" + lines.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
        } else {
            out += "<p>This is the first report.</p>"
        }
        out += "</section>\n</body></html>\n"
        return out
    }

    // MARK: - Markdown

    public func markdown() -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "# Phone system living document\n\nReviewed \(Self.day(inputs.now)); next review due \(Self.day(inputs.now.addingTimeInterval(inputs.reviewEvery))).\n\n"
        out += "## Inventory\n\n| Device | Role | Vendor | Model | Firmware | Owner | Location | Last seen |\n|---|---|---|---|---|---|---|---|\n"
        for device in inputs.devices {
            out += "| \(cell(device.key)) | \(device.role.rawValue) | \(cell(device.vendor ?? "-")) | \(cell(device.model ?? "-")) | \(cell(device.firmware ?? "-")) "
                + "| \(cell(device.owner ?? "-")) | \(cell(device.location ?? "-")) | \(Self.day(device.lastSeen)) |\n"
        }
        out += "\n## Update schedule\n\n| Device | Last updated | Due |\n|---|---|---|\n"
        for row in schedule { out += "| \(cell(row.device.key)) | \(Self.day(row.lastUpdated)) | \(Self.day(row.due))\(row.overdue ? " **overdue**" : "") |\n" }
        out += "\n## Findings\n\n"
        if findings.isEmpty { out += "No findings.\n" }
        for finding in findings { out += "- **\(finding.severity.rawValue)** `\(cell(finding.subject))` \(finding.check): \(cell(finding.why)) — fix: \(cell(finding.fix))\n" }
        out += "\n## Tollgate's posture\n\n"
        for (name, value, _) in posture { out += "- \(name): \(value)\n" }
        out += "\n## Failover drill\n\n"
        if let drill = inputs.lastDrill {
            out += "Last drill \(Self.day(drill.time)), route of \(drill.testNumber): \(drill.passed ? "passed" : "failed").\n\n"
                + drill.steps.map { "- \($0.passed ? "PASS" : "FAIL") \(cell($0.detail))\n" }.joined()
        } else {
            out += "No failover drill has been recorded (`tollgate drill failover`).\n"
        }
        out += "\n## Incident response\n\n"
        for (title, steps) in runbook { out += "### \(title)\n\n" + steps.map { "- `\($0)`\n" }.joined() + "\n" }
        out += "## Changes since the last report\n\n"
        if inputs.previous == nil { out += "This is the first report.\n" } else {
            let lines = changes
            out += lines.isEmpty ? "Nothing changed.\n" : lines.map { "- \($0)\n" }.joined()
        }
        return out
    }
}
