import Foundation

/// FreeSWITCH's configuration reviewed: the shipped `default_password`, the event socket listening
/// everywhere with its default password and no ACL, SIP profiles that take calls without
/// authentication or do not log failed logins (so no IDS sees them), TLS off or allowing TLS 1.0/1.1,
/// and every directory user's password (into the shared ``SecretReview``).
struct FreeSWITCHReview {
    /// Each XML file by its path relative to the reviewed folder.
    var files: [(path: String, elements: XMLElements)]

    func findings(secrets: inout SecretReview) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        var variables: [String: String] = [:]
        // vars.xml first: the directory's passwords refer to $${default_password}.
        for (path, xml) in files where path.hasSuffix("vars.xml") {
            for element in xml.elements where element.name == "X-PRE-PROCESS" && element.attributes["cmd"] == "set" {
                guard let data = element.attributes["data"], let equals = data.firstIndex(of: "=") else { continue }
                let name = String(data[..<equals])
                let value = String(data[data.index(after: equals)...])
                variables[name] = value
                if name == "default_password" {
                    secrets.add(owner: "default_password (every directory user that uses it)", user: nil, value: value,
                                location: "\(path):\(element.line)")
                }
                if name == "sip_tls_version", value.lowercased().contains("tlsv1,") || value.lowercased().contains("tlsv1.1") || value.lowercased() == "tlsv1" {
                    findings.append(AuditFinding(check: "old-tls-versions", severity: .medium, subject: "\(path):\(element.line)",
                                                 why: "sip_tls_version allows TLS 1.0 or 1.1 (\(value))", fix: "set sip_tls_version=tlsv1.2,tlsv1.3"))
                }
            }
        }
        for (path, xml) in files {
            let params = xml.elements.filter { $0.name == "param" }
            func param(_ name: String) -> XMLElements.Element? { params.last { $0.attributes["name"]?.lowercased() == name } }
            if path.hasSuffix("event_socket.conf.xml") {
                let listen = param("listen-ip")
                if let listen, ["::", "0.0.0.0", "[::]"].contains(listen.attributes["value"] ?? "") {
                    findings.append(AuditFinding(
                        check: "esl-exposed", severity: .high, subject: "\(path):\(listen.line)",
                        why: "the event socket listens on every address (\(listen.attributes["value"] ?? "")):8021; it runs any command",
                        fix: "set listen-ip to 127.0.0.1"))
                }
                if param("apply-inbound-acl") == nil {
                    findings.append(AuditFinding(
                        check: "esl-no-acl", severity: .medium, subject: "\(path):\(listen?.line ?? 1)",
                        why: "the event socket has no apply-inbound-acl: any address that reaches it may log in",
                        fix: "add <param name=\"apply-inbound-acl\" value=\"loopback.auto\"/>"))
                }
                if let password = param("password") {
                    secrets.add(owner: "event socket", user: nil, value: password.attributes["value"] ?? "", location: "\(path):\(password.line)")
                }
            }
            if path.contains("sip_profiles/"), xml.elements.contains(where: { $0.name == "profile" }) {
                if let auth = param("auth-calls"), auth.attributes["value"]?.lowercased() == "false" {
                    findings.append(AuditFinding(
                        check: "unauthenticated-calls", severity: .critical, subject: "\(path):\(auth.line)",
                        why: "auth-calls=false: this profile takes calls without credentials",
                        fix: "set auth-calls=true, and let trunks in by an ACL (apply-inbound-acl)"))
                }
                if let log = param("log-auth-failures"), log.attributes["value"]?.lowercased() == "false" {
                    findings.append(AuditFinding(
                        check: "auth-failures-not-logged", severity: .medium, subject: "\(path):\(log.line)",
                        why: "log-auth-failures=false: failed logins leave no trace, so fail2ban or an IDS never sees a password attack",
                        fix: "set log-auth-failures=true"))
                }
                let tls = param("tls")
                if tls == nil || !["true", "yes", "$${internal_ssl_enable}", "$${external_ssl_enable}"].contains(tls?.attributes["value"]?.lowercased() ?? "") {
                    let line = tls?.line ?? xml.elements.first { $0.name == "profile" }?.line ?? 1
                    findings.append(AuditFinding(
                        check: "no-tls-transport", severity: .medium, subject: "\(path):\(line)",
                        why: "this SIP profile has TLS off: signalling crosses the network in clear", fix: "set tls=true with a certificate"))
                }
            }
            if path.contains("directory/") {
                var user: String?
                for element in xml.elements {
                    if element.name == "user" { user = element.attributes["id"] }
                    guard element.name == "param", element.attributes["name"] == "password", element.path.contains("user"),
                          let id = user, var value = element.attributes["value"] else { continue }
                    if value.hasPrefix("$${"), value.hasSuffix("}") {
                        value = variables[String(value.dropFirst(3).dropLast())] ?? value
                    }
                    secrets.add(owner: "directory user \(id)", user: id, value: value, location: "\(path):\(element.line)")
                }
            }
        }
        return findings
    }
}
