import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import TollgateAudit
import TollgateModel

/// `tollgate audit`: the phone system checked the way an attacker or an auditor would.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit the phone system: its configuration files, and its hosts as an attacker sees them.",
        subcommands: [Discover.self, Check.self, Config.self]
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

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check one of your own SIP hosts the way an attacker would (rate-limited).",
            discussion: """
                Only ever sends to HOST. SIP over UDP: the version shown, the enumeration leak (a random and a \
                known extension answered differently), a guest call to an outside number (must get no 1xx/2xx), \
                a reused nonce, SRTP; then TLS on --tls-port and the management services (telnet, FTP, TFTP, \
                HTTP/HTTPS, SSH, AMI 5038, ESL 8021). With --authorized, a short list of weak passwords (the \
                extension itself first) for each --extension. Exits 0 with no finding of high severity or \
                worse, 1 with one, 2 when the input cannot be used.
                """)

        @Argument(help: "The host's address (yours).")
        var host: String

        @Option(name: .long, help: "The SIP port (UDP).")
        var port = 5060

        @Option(name: .long, help: "An extension that exists, for the enumeration and password checks; repeatable.")
        var `extension`: [String] = []

        @Option(name: .long, help: "The outside number the guest call tries.")
        var outsideNumber = "0044207946000"

        @Flag(name: .long, help: "Try weak passwords for the extensions named: only on systems you are responsible for.")
        var authorized = false

        @Option(name: .long, help: "Send from this local address.")
        var source: String?

        @Option(name: .long, help: "Requests a second at most.")
        var rate: Double = 5

        @Option(name: .long, help: "Seconds to wait for each answer.")
        var timeout: Double = 2

        @Option(name: .long, help: "The TLS port to look at.")
        var tlsPort = 5061

        @Flag(name: .long, help: "Print a JSON object instead of text.")
        var json = false

        func run() async throws {
            guard IPAddress(host) != nil else {
                printError("'\(host)' is not an IP address: checks go to an address you name, never to a name that could resolve elsewhere")
                throw ExitCode(2)
            }
            guard (1...65535).contains(port), (1...65535).contains(tlsPort), rate > 0, rate <= 50, timeout > 0, timeout <= 30 else {
                printError("--port and --tls-port must be 1-65535, --rate 0-50, --timeout 0-30")
                throw ExitCode(2)
            }
            var options = HostCheck.Options(host: host)
            options.port = port
            options.source = source
            options.extensions = `extension`
            options.outsideNumber = outsideNumber
            options.authorized = authorized
            options.requestsPerSecond = rate
            options.timeout = .milliseconds(Int64(timeout * 1000))
            options.tlsPort = tlsPort
            FileHandle.standardError.write(Data(("tollgate audit check: active checks against \(host) only, at most \(rate) requests a second"
                       + (authorized ? ", password checks authorized" : "") + ". Check only systems you are responsible for.\n").utf8))
            let report: HostCheck.Report
            do {
                report = try await HostCheck(options: options, fingerprints: try? DeviceFingerprints.shipped()).run { step in
                    if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("  … \(step)\n".utf8)) }
                }
            } catch {
                printError("cannot check \(host): \(error)")
                throw ExitCode(2)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Swift.print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                for (name, value) in report.facts.sorted(by: { $0.key < $1.key }) {
                    Swift.print("\(name.padding(toLength: 12, withPad: " ", startingAt: 0))\(TextTable.printable(value))")
                }
                Swift.print()
                try AuditCommand.print(report.findings, json: false)
            }
            if report.findings.contains(where: { $0.severity >= .high }) { throw ExitCode(1) }
        }
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sweep addresses and ranges you own with OPTIONS; what answers joins the inventory.",
            discussion: """
                TARGETS are addresses and CIDR ranges (a /16 at most each, 65536 addresses in all); names are \
                never swept. One OPTIONS per address and port, at most --rate a second, over --transport \
                (udp, tcp or tls). Each host that answers is listed with its status and Server, identified from \
                the device fingerprints, and recorded in the inventory (--no-inventory to only list them). A \
                progress bar shows on a terminal.
                """)

        @Argument(help: "Addresses and CIDR ranges.")
        var targets: [String]

        @Option(name: .long, parsing: .upToNextOption, help: "Ports to ask (default 5060).")
        var ports: [Int] = [5060]

        @Option(name: .long, help: "udp, tcp or tls.")
        var transport = "udp"

        @Option(name: .long, help: "Requests a second at most.")
        var rate: Double = 20

        @Option(name: .long, help: "Seconds to wait for answers.")
        var timeout: Double = 2

        @Option(name: .long, help: "Send from this local address.")
        var source: String?

        @Flag(name: .long, help: "List what answers without writing it to the inventory.")
        var noInventory = false

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            guard let kind = Discovery.Transport(rawValue: transport.lowercased()) else {
                printError("--transport must be udp, tcp or tls")
                throw ExitCode(2)
            }
            guard !targets.isEmpty, ports.allSatisfy({ (1...65535).contains($0) }), rate > 0, rate <= 1000, timeout > 0, timeout <= 30 else {
                printError("give TARGETS; --ports 1-65535, --rate up to 1000, --timeout up to 30")
                throw ExitCode(2)
            }
            let addresses: [IPAddress]
            do {
                addresses = try Discovery.expand(targets)
            } catch {
                printError(error.description)
                throw ExitCode(2)
            }
            let store = noInventory ? nil : try await options.openStoreOrExit()
            FileHandle.standardError.write(Data(("tollgate audit discover: OPTIONS to \(addresses.count) addresses on \(ports.count) port(s) over "
                + "\(kind.rawValue), at most \(rate) a second. Sweep only networks you are responsible for.\n").utf8))
            let sweep = Discovery(targets: addresses, ports: ports, transport: kind, requestsPerSecond: rate,
                                  timeout: .milliseconds(Int64(timeout * 1000)), source: source)
            let bar = NIOLockedValueBox(ProgressBar(enabled: ProgressBar.standardErrorIsTerminal))
            let found: [Discovery.Found]
            do {
                found = try await sweep.run(fingerprints: try? DeviceFingerprints.shipped()) { asked, total in
                    bar.withLockedValue { $0.update(count: asked, of: total, unit: "asked") }
                }
            } catch {
                printError("cannot sweep: \(error)")
                throw ExitCode(2)
            }
            bar.withLockedValue { $0.finish() }
            if let store {
                let now = Date()
                try await store.recordSightings(found.map { entry in
                    let role: InventoryDevice.Role = switch entry.identity?.role {
                    case .pbx: .pbx
                    case .phone, .softphone, .ata: .phone
                    default: .other
                    }
                    return DeviceSighting(address: entry.address, ext: "", role: role, userAgent: entry.server, vendor: entry.identity?.vendor,
                                          model: entry.identity?.model, firmware: entry.identity?.firmware, time: now)
                })
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Swift.print(String(decoding: try encoder.encode(found), as: UTF8.self))
                return
            }
            var table = TextTable("ADDRESS", "PORT", "TRANSPORT", "STATUS", "SERVER", "IDENTIFIED AS")
            for entry in found {
                let identified = entry.identity.map { identity in
                    [identity.product.hasPrefix(identity.vendor) ? identity.product : "\(identity.vendor) \(identity.product)", identity.model,
                     identity.firmware].compactMap { $0 }.joined(separator: " ")
                } ?? "-"
                table.append([entry.address, String(entry.port), entry.transport.rawValue, String(entry.status), entry.server ?? "-", identified])
            }
            Swift.print(found.isEmpty ? "nothing answered" : table.rendered)
            Swift.print("\(found.count) of \(addresses.count * ports.count) answered" + (store == nil ? "" : "; recorded in the inventory"))
        }
    }
}
