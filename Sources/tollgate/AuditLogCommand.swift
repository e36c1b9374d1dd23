import ArgumentParser
import Foundation
import TollgateModel
import TollgateStore

/// `tollgate audit-log`: who did what, and whether the log is intact.
struct AuditLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-log",
        abstract: "Show the audit log (who did what, when, from where), or verify its hash chain.",
        discussion: "Every change to console users is logged today; the console adds logins and every change made through it.",
        subcommands: [Show.self, Verify.self],
        defaultSubcommand: Show.self
    )

    /// Who runs a command on this host, for the log.
    static var localActor: String {
        "cli:" + (ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName())
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "The entries, oldest first.")

        @Option(name: .long, help: ArgumentHelp("Only entries at or after WHEN.", valueName: "when"))
        var since: String?

        @Option(name: .long, help: "At most this many entries.")
        var limit = 1000

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            var from: Date?
            if let since {
                do { from = try PointInTimeText(parsing: since).date } catch {
                    printError("--since: \(error)")
                    throw ExitCode(2)
                }
            }
            let store = try await options.openStoreOrExit()
            let entries = try await store.auditEntries(since: from, limit: limit)
            if json {
                try printJSON(entries)
                return
            }
            guard !entries.isEmpty else {
                print("the audit log is empty")
                return
            }
            var table = TextTable("TIME", "ACTOR", "FROM", "ACTION", "TARGET", "BEFORE", "AFTER")
            for entry in entries {
                table.append([Timestamp.text(entry.time), entry.actor, entry.source, entry.action, entry.target, entry.before ?? "-", entry.after ?? "-"])
            }
            print(table.rendered)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the hash chain: exit 0 when intact, 1 naming the first edited or deleted entry.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let chain = try await store.auditChain()
            if let problem = AuditChain.firstProblem(entries: chain.entries, headHash: chain.headHash, headCount: chain.headCount) {
                print("the audit log was tampered with: \(problem)")
                throw ExitCode(1)
            }
            print("the audit log is intact: \(chain.entries.count) entries")
        }
    }
}
