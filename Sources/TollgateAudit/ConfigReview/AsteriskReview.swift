/// Asterisk's configuration reviewed the way an auditor does (pjsip.conf, sip.conf, manager.conf,
/// http.conf, extensions.conf): guest and anonymous calls, enumeration leaks, `insecure=invite`, no
/// TLS, no media encryption, AMI and the HTTP server bound to every address, and the dial plan as a
/// graph — which contexts unauthenticated callers land in, and whether they reach international or
/// premium-rate patterns. Secrets go to the shared ``SecretReview``.
struct AsteriskReview {
    /// Each file by its name (`pjsip.conf`), with the path findings name.
    var files: [String: (path: String, file: AsteriskConfigFile)]

    func findings(secrets: inout SecretReview) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        var entryPoints: [(context: String, why: String)] = []
        if let (path, file) = files["pjsip.conf"] { findings += pjsip(file, path: path, secrets: &secrets, entryPoints: &entryPoints) }
        if let (path, file) = files["sip.conf"] { findings += chanSIP(file, path: path, secrets: &secrets, entryPoints: &entryPoints) }
        if let (path, file) = files["manager.conf"] { findings += manager(file, path: path, secrets: &secrets) }
        if let (path, file) = files["http.conf"] { findings += http(file, path: path) }
        if let (path, file) = files["extensions.conf"] { findings += dialPlan(file, path: path, entryPoints: entryPoints) }
        return findings
    }

    private static func at(_ path: String, _ line: Int) -> String { "\(path):\(line)" }

    private static func yes(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["yes", "true", "on", "1", "y"].contains(value)
    }

    // MARK: - pjsip.conf

    private func pjsip(_ file: AsteriskConfigFile, path: String, secrets: inout SecretReview,
                       entryPoints: inout [(context: String, why: String)]) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        let concrete = file.sections.filter { !$0.isTemplate }
        func type(_ section: AsteriskConfigFile.Section) -> String? {
            if let own = section.value("type")?.value.lowercased() { return own }
            // A section using a template takes its type.
            for option in section.options {
                if let template = file.section(option), let inherited = template.value("type")?.value.lowercased() { return inherited }
            }
            return nil
        }
        func inherited(_ section: AsteriskConfigFile.Section, _ key: String) -> AsteriskConfigFile.Entry? {
            if let own = section.value(key) { return own }
            for option in section.options { if let value = file.section(option)?.value(key) { return value } }
            return nil
        }
        let transports = concrete.filter { type($0) == "transport" }
        if !transports.contains(where: { inherited($0, "protocol")?.value.lowercased() == "tls" || inherited($0, "protocol")?.value.lowercased() == "wss" }) {
            findings.append(AuditFinding(
                check: "no-tls-transport", severity: .high, subject: Self.at(path, transports.first?.line ?? 1),
                why: "no PJSIP transport uses TLS: signalling (and SDES keys) cross the network in clear",
                fix: "add a transport with protocol=tls, a certificate and method=tlsv1_2, and move phones and trunks to it"))
        }
        for section in concrete where type(section) == "endpoint" {
            if section.name.lowercased() == "anonymous" {
                findings.append(AuditFinding(
                    check: "anonymous-endpoint", severity: .critical, subject: Self.at(path, section.line),
                    why: "an endpoint named anonymous takes calls from anyone without credentials",
                    fix: "remove the anonymous endpoint; let trunks in by address (type=identify) instead"))
                entryPoints.append((inherited(section, "context")?.value ?? "default", "the anonymous endpoint (\(Self.at(path, section.line)))"))
            }
            let encryption = inherited(section, "media_encryption")?.value.lowercased() ?? "no"
            if encryption == "no" {
                findings.append(AuditFinding(
                    check: "no-media-encryption", severity: .medium, subject: Self.at(path, section.line),
                    why: "endpoint \(section.name) has no media encryption: its calls can be listened to on the network",
                    fix: "set media_encryption=sdes (with a TLS transport) or dtls"))
            }
            if Self.yes(inherited(section, "allow_unauthenticated_options")?.value) {
                findings.append(AuditFinding(
                    check: "unauthenticated-options", severity: .low, subject: Self.at(path, inherited(section, "allow_unauthenticated_options")?.line ?? section.line),
                    why: "endpoint \(section.name) answers OPTIONS without credentials: scanners learn it exists",
                    fix: "remove allow_unauthenticated_options"))
            }
            if Self.yes(inherited(section, "trust_id_inbound")?.value) {
                findings.append(AuditFinding(
                    check: "trusted-caller-id", severity: .medium, subject: Self.at(path, inherited(section, "trust_id_inbound")?.line ?? section.line),
                    why: "endpoint \(section.name) trusts the caller ID it is sent (P-Asserted-Identity): a spoofed number is shown as real",
                    fix: "set trust_id_inbound=no except for a trunk that asserts identity"))
            }
        }
        for section in concrete where type(section) == "auth" {
            guard let password = inherited(section, "password") else { continue }
            secrets.add(owner: "auth \(section.name)", user: inherited(section, "username")?.value ?? section.name, value: password.value,
                        location: Self.at(path, password.line))
        }
        return findings
    }

    // MARK: - sip.conf

    private func chanSIP(_ file: AsteriskConfigFile, path: String, secrets: inout SecretReview,
                         entryPoints: inout [(context: String, why: String)]) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        let general = file.section("general")
        let generalLine = general?.line ?? 1
        let allowGuest = general?.value("allowguest")
        if allowGuest == nil || Self.yes(allowGuest?.value) {
            findings.append(AuditFinding(
                check: "guest-calls", severity: .critical, subject: Self.at(path, allowGuest?.line ?? generalLine),
                why: allowGuest == nil ? "allowguest is not set, and chan_sip's default is yes: anyone may call in without credentials"
                    : "allowguest=yes: anyone may call in without credentials",
                fix: "set allowguest=no in [general]"))
            entryPoints.append((general?.value("context")?.value ?? "default", "guest calls (\(Self.at(path, allowGuest?.line ?? generalLine)))"))
        }
        if let reject = general?.value("alwaysauthreject"), !Self.yes(reject.value) {
            findings.append(AuditFinding(
                check: "enumeration-leak", severity: .high, subject: Self.at(path, reject.line),
                why: "alwaysauthreject=no: an unknown user gets another answer than a wrong password, so svwar lists the extensions",
                fix: "set alwaysauthreject=yes"))
        }
        if let autocreate = general?.value("autocreatepeer"), Self.yes(autocreate.value) {
            findings.append(AuditFinding(
                check: "autocreate-peer", severity: .critical, subject: Self.at(path, autocreate.line),
                why: "autocreatepeer=yes creates a peer for anyone who registers", fix: "set autocreatepeer=no"))
        }
        if !Self.yes(general?.value("tlsenable")?.value) {
            findings.append(AuditFinding(
                check: "no-tls-transport", severity: .medium, subject: Self.at(path, general?.value("tlsenable")?.line ?? generalLine),
                why: "chan_sip has TLS off: signalling crosses the network in clear",
                fix: "set tlsenable=yes with a certificate, or move to PJSIP (chan_sip is gone from Asterisk 21)"))
        }
        for section in file.sections where section.name.lowercased() != "general" && !section.isTemplate {
            if let insecure = section.value("insecure"), insecure.value.lowercased().contains("invite") {
                findings.append(AuditFinding(
                    check: "insecure-invite", severity: .critical, subject: Self.at(path, insecure.line),
                    why: "peer \(section.name) has insecure=\(insecure.value): its INVITEs are not authenticated, so anyone who matches it can call",
                    fix: "remove insecure=invite; match the trunk by host and permit/deny instead"))
            }
            if let secret = section.value("secret") {
                let user = section.value("defaultuser")?.value ?? section.value("username")?.value ?? section.name
                secrets.add(owner: "peer \(section.name)", user: user, value: secret.value, location: Self.at(path, secret.line))
                let encryption = section.value("encryption")?.value
                if !Self.yes(encryption) {
                    findings.append(AuditFinding(
                        check: "no-media-encryption", severity: .medium, subject: Self.at(path, section.line),
                        why: "peer \(section.name) has no media encryption (encryption=yes)", fix: "set encryption=yes with TLS"))
                }
            }
        }
        return findings
    }

    // MARK: - manager.conf and http.conf

    private func manager(_ file: AsteriskConfigFile, path: String, secrets: inout SecretReview) -> [AuditFinding] {
        guard let general = file.section("general"), Self.yes(general.value("enabled")?.value) else { return [] }
        var findings: [AuditFinding] = []
        let bind = general.value("bindaddr")
        let exposed = bind.map { ["0.0.0.0", "::", "[::]"].contains($0.value) } ?? true
        if exposed {
            findings.append(AuditFinding(
                check: "ami-exposed", severity: .high, subject: Self.at(path, bind?.line ?? general.line),
                why: "the Asterisk Manager Interface listens on every address (\(bind?.value ?? "bindaddr not set: 0.0.0.0")):5038; its originate permission is as strong as system (CVE-2024-42365)",
                fix: "set bindaddr=127.0.0.1, or permit only the management host"))
        }
        for user in file.sections where user.name.lowercased() != "general" && !user.isTemplate {
            if let secret = user.value("secret") {
                secrets.add(owner: "AMI user \(user.name)", user: user.name, value: secret.value, location: Self.at(path, secret.line))
            }
            if exposed, user.values("permit").isEmpty {
                findings.append(AuditFinding(
                    check: "ami-no-acl", severity: .medium, subject: Self.at(path, user.line),
                    why: "AMI user \(user.name) may log in from any address", fix: "add deny=0.0.0.0/0.0.0.0 and permit=<management host>"))
            }
        }
        return findings
    }

    private func http(_ file: AsteriskConfigFile, path: String) -> [AuditFinding] {
        guard let general = file.section("general"), Self.yes(general.value("enabled")?.value) else { return [] }
        var findings: [AuditFinding] = []
        if let bind = general.value("bindaddr"), !["127.0.0.1", "::1", "localhost"].contains(bind.value) {
            findings.append(AuditFinding(
                check: "http-exposed", severity: .high, subject: Self.at(path, bind.line),
                why: "Asterisk's HTTP server (ARI, WebSocket, AMI over HTTP) listens on \(bind.value)",
                fix: "set bindaddr=127.0.0.1 and put a TLS proxy or the console in front"))
        }
        if !Self.yes(general.value("tlsenable")?.value) {
            findings.append(AuditFinding(
                check: "http-no-tls", severity: .medium, subject: Self.at(path, general.value("tlsenable")?.line ?? general.line),
                why: "Asterisk's HTTP server has no TLS: passwords cross the network in clear", fix: "set tlsenable=yes with a certificate"))
        }
        return findings
    }

    // MARK: - extensions.conf

    /// The dial plan as a graph: contexts, their patterns, and the contexts they include or jump to.
    private func dialPlan(_ file: AsteriskConfigFile, path: String, entryPoints: [(context: String, why: String)]) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        var edges: [String: Set<String>] = [:]
        var tolls: [String: [(pattern: String, reach: String, line: Int)]] = [:]
        for section in file.sections {
            let context = section.name.lowercased()
            var lastPattern: String?
            for entry in section.entries {
                switch entry.key {
                case "include":
                    edges[context, default: []].insert(entry.value.split(separator: ",").first.map { String($0).lowercased() } ?? "")
                case "exten", "same":
                    let parts = entry.value.split(separator: ",", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
                    if entry.key == "exten", let pattern = parts.first { lastPattern = pattern }
                    let application = parts.last ?? ""
                    for target in Self.jumpTargets(application) { edges[context, default: []].insert(target) }
                    if let pattern = lastPattern, entry.key == "exten", let reach = DialPlanPattern(pattern).tollReach {
                        tolls[context, default: []].append((pattern, reach, entry.line))
                    }
                    if entry.key == "exten", let pattern = lastPattern, ["_.", "_!", "_X.", "_X!"].contains(pattern.uppercased()),
                       application.contains("${EXTEN}"), application.lowercased().hasPrefix("dial") {
                        findings.append(AuditFinding(
                            check: "unfiltered-exten", severity: .medium, subject: Self.at(path, entry.line),
                            why: "context \(section.name) passes any number dialled (\(pattern)) straight to Dial",
                            fix: "match the numbers you allow with narrow patterns (national, then international behind a PIN)"))
                    }
                default:
                    break
                }
            }
            if context == "demo" {
                findings.append(AuditFinding(check: "demo-context", severity: .low, subject: Self.at(path, section.line),
                                             why: "the sample [demo] context is still in the dial plan", fix: "remove the sample contexts"))
            }
        }
        // Several ways in to one context make one finding per pattern, naming them all.
        var ways: [String: [String]] = [:]
        var order: [String] = []
        for (context, why) in entryPoints {
            let key = context.lowercased()
            if ways[key] == nil { order.append(key) }
            ways[key, default: []].append(why)
        }
        for entry in order {
            let why = ways[entry, default: []].joined(separator: " and ")
            var seen: Set<String> = [entry]
            var queue = [entry]
            while let context = queue.popLast() {
                for (pattern, reach, line) in tolls[context] ?? [] {
                    findings.append(AuditFinding(
                        check: "guest-toll-route", severity: .critical, subject: Self.at(path, line),
                        why: "unauthenticated callers — \(why) — land in context \(entry), which reaches \(context) and its \(reach) pattern \(pattern): toll fraud needs nothing more",
                        fix: "give unauthenticated calls a context with only the company's own extensions, and keep \(reach) routes in contexts only authenticated phones use"))
                }
                for next in edges[context] ?? [] where !seen.contains(next) {
                    seen.insert(next)
                    queue.append(next)
                }
            }
        }
        return findings
    }

    /// The contexts an application jumps to: `Goto(ctx,exten,prio)`, `Gosub(ctx,…)`, `Dial(Local/x@ctx)`.
    static func jumpTargets(_ application: String) -> [String] {
        let lowered = application.lowercased()
        var targets: [String] = []
        for name in ["goto(", "gosub(", "gotoif("] {
            guard let range = lowered.range(of: name) else { continue }
            var arguments = lowered[range.upperBound...]
            if name == "gotoif(", let colon = arguments.firstIndex(of: "?") { arguments = arguments[arguments.index(after: colon)...] }
            let parts = arguments.split(whereSeparator: { $0 == "," || $0 == ")" || $0 == ":" }).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count >= 3, let first = parts.first { targets.append(first) }
        }
        var rest = lowered[...]
        while let local = rest.range(of: "local/") {
            let after = rest[local.upperBound...]
            if let at = after.firstIndex(of: "@") {
                let context = after[after.index(after: at)...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
                if !context.isEmpty { targets.append(String(context)) }
            }
            rest = after
        }
        return targets
    }
}
