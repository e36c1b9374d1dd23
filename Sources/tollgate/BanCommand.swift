import ArgumentParser
import Foundation
import TollgateStore
import TollgateModel

/// `tollgate ban list|add|remove|clear`: Shield's bans, in the store the gateway reads them from.
struct BanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ban",
        abstract: "List, add and lift bans of source addresses.",
        discussion: """
            Bans live in the store (store.path of the configuration), so a running gateway picks up a \
            change within moments and a ban outlives restarts. A lifted ban keeps its record, so the \
            source's next ban counts as a repeat offence.
            """,
        subcommands: [List.self, Add.self, Remove.self, Clear.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bans in force (with --all, expired records too).")

        @OptionGroup var options: ConfigOptions

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @Flag(name: .long, help: "Include records whose ban has expired or was lifted.")
        var all = false

        func run() async throws {
            let store = try await options.openStoreOrExit()
            // The store's clock: on a shared database, every node ends the ban at the same moment.
            let now = try await store.databaseTime()
            let bans = all ? try await store.allBans() : try await store.activeBans(at: now)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(bans.map { BanListing($0, at: now) })
                print(String(decoding: data, as: UTF8.self))
                return
            }
            guard !bans.isEmpty else {
                print(all ? "no bans recorded" : "no active bans")
                return
            }
            var table = TextTable("SOURCE", "RULE", "REASON", "OFFENCES", "ORIGIN", "SINCE", "UNTIL", "LEFT")
            for ban in bans {
                table.append([
                    ban.source, ban.rule, ban.reason, String(ban.offences), ban.origin.rawValue, Timestamp.text(ban.since),
                    Timestamp.text(ban.until), ban.isActive(at: now) ? DurationText.approximate(seconds: ban.secondsLeft(at: now)) : "expired",
                ])
            }
            print(table.rendered)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ban a source address.",
            discussion: """
                ADDRESS is one IPv4 or IPv6 address. DURATION is a whole number and a unit (30s, 15m, 2h, 7d) \
                or 'permanent' (100 years). Banning an address that is already banned replaces its ban.

                Exits 2 for an address or duration that cannot be used.
                """)

        @Argument(help: "The source address to ban.")
        var address: String

        @Option(name: .customLong("for"), help: ArgumentHelp("How long: 30s, 15m, 2h, 7d or permanent.", valueName: "duration"))
        var duration = "1h"

        @Option(name: .long, help: ArgumentHelp("Why, for the record.", valueName: "text"))
        var reason = "banned by an operator"

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let source = try sourceAddressOrExit(address)
            let length: DurationText
            do {
                length = try DurationText(parsing: duration)
            } catch {
                printError("--for: \(error.description)")
                throw ExitCode(2)
            }
            let store = try await options.openStoreOrExit()
            // The store's clock: on a shared database, every node ends the ban at the same moment.
            let now = try await store.databaseTime()
            let previous = try await store.ban(source: source)
            let ban = Ban(source: source, since: now, until: now.addingTimeInterval(length.timeInterval), rule: "operator", reason: reason,
                          offences: (previous?.offences ?? 0) + 1, origin: .operator_)
            try await store.saveBan(ban)
            var line = "banned \(source) \(length.isPermanent ? "permanently" : "for \(length)") (until \(Timestamp.text(ban.until))), offence \(ban.offences)"
            if let previous, previous.isActive(at: now) { line += "; replaces the ban until \(Timestamp.text(previous.until))" }
            print(line)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift the ban of a source address (its record stays, for repeat offences).",
            discussion: "Exits 1 if the address is not banned, 2 if it is not an IP address.")

        @Argument(help: "The banned source address.")
        var address: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let source = try sourceAddressOrExit(address)
            let store = try await options.openStoreOrExit()
            // The store's clock: on a shared database, every node ends the ban at the same moment.
            let now = try await store.databaseTime()
            if try await store.liftBan(source: source, at: now) {
                print("lifted the ban on \(source)")
                return
            }
            if let record = try await store.ban(source: source) {
                printError("\(source) is not banned (its last ban ended \(Timestamp.text(record.until)))")
            } else {
                printError("\(source) is not banned")
            }
            throw ExitCode(1)
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift every ban in force.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let lifted = try await store.liftAllBans(at: try await store.databaseTime())
            print("lifted \(lifted) \(lifted == 1 ? "ban" : "bans")")
        }
    }
}

/// One ban as `ban list --json` prints it.
struct BanListing: Encodable {
    var source: String
    var rule: String
    var reason: String
    var offences: Int
    var origin: String
    var since: String
    var until: String
    var active: Bool
    var secondsLeft: Int

    init(_ ban: Ban, at now: Date) {
        source = ban.source
        rule = ban.rule
        reason = ban.reason
        offences = ban.offences
        origin = ban.origin.rawValue
        since = Timestamp.text(ban.since)
        until = Timestamp.text(ban.until)
        active = ban.isActive(at: now)
        secondsLeft = ban.secondsLeft(at: now)
    }
}
