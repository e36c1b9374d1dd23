import Foundation

/// `tollgate audit config DIR`: the configuration files of a phone system reviewed offline —
/// Asterisk (pjsip.conf, sip.conf, extensions.conf, manager.conf, http.conf), FreeSWITCH (vars.xml,
/// autoload_configs/event_socket.conf.xml, sip_profiles, directory) and phone provisioning files
/// (Yealink `.cfg`, Polycom XML, Grandstream). Each finding names its file and line, how bad it is,
/// why, and how to fix it; secrets are judged across every file together and never shown.
public struct ConfigReview: Sendable {
    /// Files larger than this are skipped (a configuration file is small; a log is not one).
    public static let maxFileSize = 4 << 20

    public init() {}

    static func looksLikeXML(_ data: Data) -> Bool {
        data.prefix(64).first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) } == UInt8(ascii: "<")
    }

    /// Reviews every file under `directory` (recursively); paths in findings are relative to it.
    public func review(directory: String) throws -> [AuditFinding] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        var asterisk: [String: (path: String, file: AsteriskConfigFile)] = [:]
        var freeswitch: [(path: String, elements: XMLElements)] = []
        var phoneText: [(path: String, text: String)] = []
        var phoneXML: [(path: String, elements: XMLElements)] = []
        var findings: [AuditFinding] = []
        var paths: [URL] = []
        for case let url as URL in walker { paths.append(url) }
        for url in paths.sorted(by: { $0.path < $1.path }) {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values?.isRegularFile == true, (values?.fileSize ?? 0) <= Self.maxFileSize, let data = try? Data(contentsOf: url) else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" })
            let name = url.lastPathComponent.lowercased()
            if ["pjsip.conf", "sip.conf", "extensions.conf", "manager.conf", "http.conf"].contains(name) {
                asterisk[name] = (relative, AsteriskConfigFile(text: String(decoding: data, as: UTF8.self)))
            } else if name.hasSuffix(".xml") || ((name.hasSuffix(".cfg") || name.hasSuffix(".conf")) && Self.looksLikeXML(data)) {
                // Polycom writes its provisioning files as XML named .cfg.
                guard let xml = XMLElements(data: data) else {
                    findings.append(AuditFinding(check: "unreadable-file", severity: .info, subject: relative,
                                                 why: "not well-formed XML, so not reviewed", fix: "check the file"))
                    continue
                }
                let isFreeSWITCH = relative.contains("autoload_configs/") || relative.contains("sip_profiles/") || relative.contains("directory/")
                    || name == "vars.xml"
                if isFreeSWITCH { freeswitch.append((relative, xml)) } else { phoneXML.append((relative, xml)) }
            } else if name.hasSuffix(".cfg") || name.hasSuffix(".txt") || name.hasSuffix(".conf") {
                phoneText.append((relative, String(decoding: data, as: UTF8.self)))
            }
        }
        var secrets = SecretReview()
        findings += AsteriskReview(files: asterisk).findings(secrets: &secrets)
        findings += FreeSWITCHReview(files: freeswitch).findings(secrets: &secrets)
        findings += PhoneProvisioningReview(textFiles: phoneText, xmlFiles: phoneXML).findings(secrets: &secrets)
        findings += secrets.findings()
        return findings.sorted { lhs, rhs in
            lhs.severity != rhs.severity ? lhs.severity > rhs.severity : (lhs.subject, lhs.check) < (rhs.subject, rhs.check)
        }
    }
}
