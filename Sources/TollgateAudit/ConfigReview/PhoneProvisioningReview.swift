import Foundation

/// Phone provisioning files reviewed: Yealink `.cfg`, Polycom XML and Grandstream (`P`-value XML or
/// text). Default admin passwords, the same password on many devices (through the shared
/// ``SecretReview``), Bluetooth, Wi-Fi or USB left on, the web UI over plain HTTP, provisioning over
/// HTTP, FTP or TFTP.
struct PhoneProvisioningReview {
    /// Text files (`.cfg`, Grandstream text) and XML files, by path.
    var textFiles: [(path: String, text: String)]
    var xmlFiles: [(path: String, elements: XMLElements)]

    func findings(secrets: inout SecretReview) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for (path, text) in textFiles {
            let pairs = Self.keyValues(text)
            if pairs.contains(where: { $0.key.hasPrefix("account.") || $0.key.hasPrefix("static.") || $0.key.hasPrefix("features.") }) {
                findings += yealink(pairs, path: path, secrets: &secrets)
            } else if pairs.contains(where: { $0.key.range(of: #"^p[0-9]+$"#, options: .regularExpression) != nil }) {
                findings += grandstream(pairs.map { ($0.key.uppercased(), $0.value, $0.line) }, path: path, secrets: &secrets)
            }
        }
        for (path, xml) in xmlFiles {
            let attributes = xml.elements.flatMap { element in element.attributes.map { ($0.key, $0.value, element.line) } }
            if attributes.contains(where: { $0.0.hasPrefix("reg.") || $0.0.hasPrefix("device.") || $0.0.hasPrefix("voIpProt") }) {
                findings += polycom(attributes, path: path, secrets: &secrets)
            }
            let pValues = xml.elements.filter { $0.name.range(of: #"^P[0-9]+$"#, options: .regularExpression) != nil }
            if !pValues.isEmpty {
                findings += grandstream(pValues.map { ($0.name, $0.text, $0.line) }, path: path, secrets: &secrets)
            }
        }
        return findings
    }

    private static func keyValues(_ text: String) -> [(key: String, value: String, line: Int)] {
        var pairs: [(String, String, Int)] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            pairs.append((line[..<equals].trimmingCharacters(in: .whitespaces).lowercased(),
                          line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces), offset + 1))
        }
        return pairs
    }

    private static func on(_ value: String) -> Bool { ["1", "true", "yes", "on", "enable", "enabled"].contains(value.lowercased()) }

    private static func insecureURL(_ value: String) -> Bool {
        let lowered = value.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("tftp://") || lowered.hasPrefix("ftp://")
    }

    private func radios(_ key: String, _ value: String, at location: String) -> AuditFinding? {
        let lowered = key.lowercased()
        guard Self.on(value) else { return nil }
        for (word, name) in [("bluetooth", "Bluetooth"), ("wifi", "Wi-Fi"), ("usb", "USB")] where lowered.contains(word) {
            guard lowered.hasSuffix("enable") || lowered.hasSuffix("enabled") || lowered.hasSuffix("radioon") else { continue }
            return AuditFinding(check: "\(word)-on", severity: .low, subject: location,
                                why: "\(name) is left on: a way in that a desk phone rarely needs",
                                fix: "turn \(name) off in the provisioning file unless it is used")
        }
        return nil
    }

    // MARK: - Yealink

    private func yealink(_ pairs: [(key: String, value: String, line: Int)], path: String, secrets: inout SecretReview) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        var users: [String: String] = [:]
        for (key, value, _) in pairs where key.hasPrefix("account.") && (key.hasSuffix(".auth_name") || key.hasSuffix(".user_name")) {
            users[String(key.split(separator: ".").prefix(2).joined(separator: "."))] = value
        }
        for (key, value, line) in pairs {
            let location = "\(path):\(line)"
            if key.hasSuffix("security.user_password") {
                // `admin:password`
                let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
                let user = parts.count == 2 ? parts[0] : "admin"
                let password = parts.count == 2 ? parts[1] : value
                secrets.add(owner: "phone \(user) password (\(path))", user: user, value: password, location: location)
            } else if key.hasPrefix("account."), key.hasSuffix(".password") {
                let account = String(key.split(separator: ".").prefix(2).joined(separator: "."))
                secrets.add(owner: "SIP \(account) (\(path))", user: users[account], value: value, location: location)
            } else if key.hasSuffix("wui.http_enable"), Self.on(value) {
                findings.append(AuditFinding(check: "web-ui-plain-http", severity: .medium, subject: location,
                                             why: "the phone's web page is served over plain HTTP: its admin password crosses the network in clear",
                                             fix: "set static.wui.http_enable = 0 and static.wui.https_enable = 1"))
            } else if key.hasSuffix("auto_provision.server.url"), Self.insecureURL(value) {
                findings.append(AuditFinding(check: "provisioning-not-encrypted", severity: .medium, subject: location,
                                             why: "the phone fetches its configuration (with its SIP password) over \(value.split(separator: ":").first ?? "")",
                                             fix: "provision over HTTPS with the phone checking the server's certificate"))
            } else if let radio = radios(key, value, at: location) {
                findings.append(radio)
            }
        }
        if !pairs.contains(where: { $0.key.hasSuffix("security.user_password") }) {
            findings.append(AuditFinding(check: "default-password", severity: .critical, subject: "\(path):1",
                                         why: "the file sets no admin password: the phone keeps its factory admin:admin",
                                         fix: "set static.security.user_password = admin:<a random password>"))
        }
        return findings
    }

    // MARK: - Polycom

    private func polycom(_ attributes: [(String, String, Int)], path: String, secrets: inout SecretReview) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        var users: [String: String] = [:]
        for (key, value, _) in attributes where key.hasPrefix("reg.") && key.hasSuffix(".auth.userId") {
            users[String(key.split(separator: ".").prefix(2).joined(separator: "."))] = value
        }
        for (key, value, line) in attributes {
            let location = "\(path):\(line)"
            switch key {
            case "device.auth.localAdminPassword":
                secrets.add(owner: "phone admin password (\(path))", user: "Polycom", value: value, location: location)
            case "device.auth.localUserPassword":
                secrets.add(owner: "phone user password (\(path))", user: "Polycom", value: value, location: location)
            case "device.prov.serverType" where ["0", "1", "2", "ftp", "tftp", "http"].contains(value.lowercased()):
                findings.append(AuditFinding(check: "provisioning-not-encrypted", severity: .medium, subject: location,
                                             why: "the phone fetches its configuration over \(["0": "FTP", "1": "TFTP", "2": "HTTP"][value] ?? value.uppercased())",
                                             fix: "set device.prov.serverType to HTTPS (3)"))
            case "httpd.cfg.secureTunnelRequired" where value == "0":
                findings.append(AuditFinding(check: "web-ui-plain-http", severity: .medium, subject: location,
                                             why: "the phone's web page is served over plain HTTP", fix: "set httpd.cfg.secureTunnelRequired=\"1\""))
            default:
                if key.hasPrefix("reg."), key.hasSuffix(".auth.password") {
                    let account = String(key.split(separator: ".").prefix(2).joined(separator: "."))
                    secrets.add(owner: "SIP \(account) (\(path))", user: users[account], value: value, location: location)
                } else if let radio = radios(key, value, at: location) {
                    findings.append(radio)
                }
            }
        }
        return findings
    }

    // MARK: - Grandstream

    /// P2 admin password (default `admin`), P196 user password, P34/P35 account 1's password and user,
    /// P212 provisioning over 0 TFTP, 1 HTTP, 2 HTTPS.
    private func grandstream(_ values: [(String, String, Int)], path: String, secrets: inout SecretReview) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        let user = values.first { $0.0 == "P35" }?.1
        for (code, value, line) in values {
            let location = "\(path):\(line)"
            switch code {
            case "P2": secrets.add(owner: "phone admin password (\(path))", user: "admin", value: value, location: location)
            case "P196": secrets.add(owner: "phone user password (\(path))", user: "user", value: value, location: location)
            case "P34": secrets.add(owner: "SIP account 1 (\(path))", user: user, value: value, location: location)
            case "P212" where value == "0" || value == "1":
                findings.append(AuditFinding(check: "provisioning-not-encrypted", severity: .medium, subject: location,
                                             why: "the phone fetches firmware and configuration over \(value == "0" ? "TFTP" : "HTTP")",
                                             fix: "set P212 = 2 (HTTPS)"))
            default:
                break
            }
        }
        return findings
    }
}
