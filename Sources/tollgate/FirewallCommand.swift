import ArgumentParser
import Foundation
import TollgateAudit
import TollgateModel

/// `tollgate firewall nftables`: the voice network's stateful firewall, written from the configuration.
struct FirewallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "Write a firewall ruleset from the configuration, for the operator to review and load.",
        subcommands: [NFTables.self]
    )

    struct NFTables: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nftables",
            abstract: "An nftables ruleset (table inet tollgate): SIP only from the trunks, the PBX's SIP only from the PBX, the media range, the rest dropped.",
            discussion: """
                SIP reaches the external listeners only from the trunks' allowed_sources (from anywhere when \
                remote_phones is on), the internal listeners only from the PBX; the media port range is open; \
                SSH and the console only from --admin (without it SSH stays open, so loading the ruleset locks \
                nobody out, and the console is reachable from this host only); everything else is dropped and \
                logged, rate-limited. The PBX may reach the trunks and nothing else. Check it with \
                'nft -c -f FILE', load it with 'nft -f FILE'.
                """)

        @Option(name: .long, help: "A management address or range (CIDR) for SSH and the console; repeatable.")
        var admin: [String] = []

        @Option(name: .long, help: "Write to this file instead of standard output.")
        var output: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            var ranges: [AddressRange] = []
            for text in admin {
                do {
                    ranges.append(try AddressRange(parsing: text))
                } catch {
                    printError("--admin \(text): \(error)")
                    throw ExitCode(2)
                }
            }
            let config = try options.loadOrExit()
            let ruleset: FirewallRuleset
            do {
                ruleset = try FirewallRuleset(config: config, admin: ranges, generated: Date())
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
            guard let output else {
                print(ruleset.text, terminator: "")
                return
            }
            do {
                try ruleset.text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                printError("cannot write \(output): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            print("wrote \(output): check it with 'nft -c -f \(output)', load it with 'nft -f \(output)'")
        }
    }
}
