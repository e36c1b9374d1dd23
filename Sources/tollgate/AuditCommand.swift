import ArgumentParser
import Foundation
import TollgateAudit

/// `tollgate audit`: the phone system checked the way an attacker or an auditor would.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit the phone system: its configuration files.",
        subcommands: [Config.self]
    )

    /// Findings as the audit commands print them: worst first, each with its place, why and the fix.
    static func print(_ findings: [AuditFinding], json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: try encoder.encode(findings), as: UTF8.self))
            return
        }
        for finding in findings {
            Swift.print("[\(finding.severity.rawValue)] \(TextTable.printable(finding.subject))  \(finding.check)")
            Swift.print("  \(TextTable.printable(finding.why))")
            Swift.print("  fix: \(TextTable.printable(finding.fix))")
        }
        var counts: [String] = []
        for severity in AuditFinding.Severity.allCases.reversed() {
            let count = findings.filter { $0.severity == severity }.count
            if count > 0 { counts.append("\(count) \(severity.rawValue)") }
        }
        Swift.print(findings.isEmpty ? "no findings" : "\(findings.count) findings: \(counts.joined(separator: ", "))")
    }

    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Review a folder of Asterisk, FreeSWITCH and phone provisioning files.",
            discussion: """
                Reads pjsip.conf, sip.conf, extensions.conf, manager.conf and http.conf; FreeSWITCH's vars.xml, \
                autoload_configs/event_socket.conf.xml, sip_profiles and directory; Yealink .cfg, Polycom XML and \
                Grandstream files, anywhere under DIR. Prints each finding with its file and line, why it matters \
                and how to fix it; secrets are judged (default, common, equal to the user, reused) but never \
                shown. Exits 0 with no finding of high severity or worse, 1 with one, 2 when DIR cannot be read.
                """)

        @Argument(help: "The folder (for example a copy of /etc/asterisk, /etc/freeswitch and the provisioning server's files).")
        var directory: String

        @Flag(name: .long, help: "Print a JSON array instead of text.")
        var json = false

        func run() async throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                printError("\(directory) is not a folder")
                throw ExitCode(2)
            }
            let findings: [AuditFinding]
            do {
                findings = try ConfigReview().review(directory: directory)
            } catch {
                printError("cannot read \(directory): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            try AuditCommand.print(findings, json: json)
            if findings.contains(where: { $0.severity >= .high }) { throw ExitCode(1) }
        }
    }
}
