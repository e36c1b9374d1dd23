import ArgumentParser
import Foundation
import TollgateFraud
import TollgateStore
import TollgateModel

/// `tollgate account show|list|resume|suspend|reset|allow|disallow|allowances`: the fraud control's view of an account.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Show accounts' fraud counters and calls; suspend, resume and reset them.",
        discussion: """
            An account is what the gateway counts calls against: an extension, a remote phone's user \
            or a trunk. The gateway stores its counters now and then in the store (store.path of the \
            configuration); a suspension, resume or reset made here is written there and bumps the \
            store's accounts revision, which the running gateway watches.
            """,
        subcommands: [Show.self, List.self, Resume.self, Suspend.self, Reset.self, Allow.self, Disallow.self, Allowances.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an account's last stored counters, its suspension and its last 10 calls.",
            discussion: "Exits 1 if the gateway has never stored anything about the account.")

        @Argument(help: "The account.")
        var account: String

        @Flag(name: .long, help: "Print a JSON object instead of text.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let account = try accountArgumentOrExit(account)
            let store = try await options.openStoreOrExit()
            let snapshot = try await store.accountSnapshot(account: account)
            let suspension = try await store.suspensionRecord(account: account)
            let reset = try await store.counterResets()[account]
            let calls = try await store.cdrs(CDRQuery(account: account, limit: 10))
            if snapshot == nil, suspension == nil, reset == nil, calls.isEmpty {
                printError("account \(TextTable.printable(account)) has never been seen: no counters, suspension or calls are stored for it")
                throw ExitCode(1)
            }
            if json {
                let showing = AccountShowing(account: account, snapshot: snapshot, suspension: suspension, counterReset: reset, calls: calls)
                print(AccountShowing.text(of: showing))
                return
            }
            var lines = ["account \(TextTable.printable(account))"]
            if let snapshot {
                lines.append("counters read \(Timestamp.text(snapshot.time)):")
                lines += AccountCounters.lines(snapshot)
            } else {
                lines.append("counters: none stored yet")
            }
            if let suspension {
                lines.append(AccountCounters.describe(suspension))
            } else {
                lines.append("not suspended")
            }
            if let reset { lines.append("counter reset requested \(Timestamp.text(reset))") }
            if calls.isEmpty {
                lines.append("no calls stored")
            } else {
                lines.append("last \(calls.count == 1 ? "call" : "\(calls.count) calls"):")
                lines.append(CDRTable.rendered(calls))
            }
            print(lines.joined(separator: "\n"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List suspended accounts and accounts with stored counters.")

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            var snapshots: [String: AccountSnapshot] = [:]
            for snapshot in try await store.accountSnapshots() { snapshots[snapshot.account] = snapshot }
            var suspensions: [String: AccountSuspension] = [:]
            for suspension in try await store.activeSuspensions() { suspensions[suspension.account] = suspension }
            let accounts = Set(snapshots.keys).union(suspensions.keys).sorted()
            if json {
                let listings = accounts.map { account in
                    AccountShowing(account: account, snapshot: snapshots[account],
                                   suspension: suspensions[account].map { SuspensionRecord(suspension: $0) }, counterReset: nil, calls: nil)
                }
                print(AccountShowing.text(of: listings))
                return
            }
            guard !accounts.isEmpty else {
                print("no accounts stored")
                return
            }
            var table = TextTable("ACCOUNT", "STATUS", "CLASS", "CALLS TODAY", "MINUTES TODAY", "IN PROGRESS", "COUNTED", "SUSPENDED SINCE", "RULE")
            for account in accounts {
                let snapshot = snapshots[account]
                let suspension = suspensions[account]
                table.append([
                    account, suspension == nil ? "active" : "suspended", snapshot?.classOfService ?? "-",
                    snapshot.map { String($0.callsToday) } ?? "-", snapshot.map { TollgateCDRFormat.seconds(($0.minutesToday * 10).rounded() / 10) } ?? "-",
                    snapshot.map { String($0.concurrentCalls) } ?? "-", snapshot.map { Timestamp.text($0.time) } ?? "-",
                    suspension.map { Timestamp.text($0.since) } ?? "-", suspension?.rule ?? "-",
                ])
            }
            print(table.rendered)
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift an account's suspension (the record stays, as history).",
            discussion: "Exits 1 if the account is not suspended.")

        @Argument(help: "The suspended account.")
        var account: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let account = try accountArgumentOrExit(account)
            let store = try await options.openStoreOrExit()
            let record = try await store.suspensionRecord(account: account)
            if try await store.liftSuspension(account: account, at: Date()) {
                var line = "resumed \(TextTable.printable(account))"
                if let record {
                    line += " (suspended since \(Timestamp.text(record.suspension.since)) by rule \(TextTable.printable(record.suspension.rule)))"
                }
                print(line)
                return
            }
            if let record, let lifted = record.lifted {
                printError("\(TextTable.printable(account)) is not suspended (its last suspension was lifted \(Timestamp.text(lifted)))")
            } else {
                printError("\(TextTable.printable(account)) is not suspended")
            }
            throw ExitCode(1)
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend an account: the gateway refuses its outbound calls until it is resumed.",
            discussion: "The suspension's rule is 'operator'. Exits 1 if the account is already suspended.")

        @Argument(help: "The account to suspend.")
        var account: String

        @Option(name: .long, help: ArgumentHelp("Why, for the record.", valueName: "text"))
        var reason: String

        @OptionGroup var options: ConfigOptions

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--reason must not be empty.") }
        }

        func run() async throws {
            let account = try accountArgumentOrExit(account)
            let store = try await options.openStoreOrExit()
            if let active = try await store.suspension(account: account) {
                printError("\(TextTable.printable(account)) is already suspended (since \(Timestamp.text(active.since)), rule \(TextTable.printable(active.rule)): \(TextTable.printable(active.reason)))")
                throw ExitCode(1)
            }
            let suspension = AccountSuspension(account: account, since: Date(), rule: "operator", reason: reason)
            try await store.saveSuspension(suspension)
            print("suspended \(TextTable.printable(account)) (\(TextTable.printable(reason)))")
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running gateway to zero an account's fraud counters.",
            discussion: "The request is stored; the gateway zeroes the counters when it next reads the store. A suspension stays until resumed.")

        @Argument(help: "The account whose counters to zero.")
        var account: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let account = try accountArgumentOrExit(account)
            let store = try await options.openStoreOrExit()
            let now = Date()
            try await store.requestCounterReset(account: account, at: now)
            print("requested a counter reset for \(TextTable.printable(account)) at \(Timestamp.text(now))")
            if try await store.accountSnapshot(account: account) == nil {
                FileHandle.standardError.write(Data("note: no counters are stored for \(TextTable.printable(account)) yet\n".utf8))
            }
        }
    }
}

extension AccountCommand {
    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let an account call destinations that were held as its first calls there.",
            discussion: """
                DESTINATION is a country calling code (+371) or a destination class (premium or \
                high-risk), as a held call's event names them. The allowance is stored; the running \
                gateway reads it within a second, and the account's next call there is not held.
                """)

        @OptionGroup var allowance: AllowanceArguments
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let (account, destinations, store) = try await allowance.opened(options)
            for destination in destinations {
                try await store.saveAllowance(account: account, destination: destination, at: Date())
            }
            print("account \(TextTable.printable(account)) may call \(destinations.joined(separator: " and ")): its next call there is not held")
        }
    }

    struct Disallow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw allowances: the account's first calls there are judged again.",
            discussion: "Exits 1 when the account had none of the allowances named.")

        @OptionGroup var allowance: AllowanceArguments
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let (account, destinations, store) = try await allowance.opened(options)
            var removed: [String] = []
            for destination in destinations where try await store.removeAllowance(account: account, destination: destination) {
                removed.append(destination)
            }
            guard !removed.isEmpty else {
                printError("account \(TextTable.printable(account)) has no allowance for \(destinations.joined(separator: " or "))")
                throw ExitCode(1)
            }
            print("account \(TextTable.printable(account)) may no longer call \(removed.joined(separator: " and ")) unseen")
        }
    }

    struct Allowances: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the allowances operators gave, in the order given.")

        @Argument(help: "Only this account's.")
        var account: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let all = try await store.allowances().filter { allowance in account.map { allowance.account == $0 } ?? true }
            guard !all.isEmpty else {
                print("no allowances")
                return
            }
            for allowance in all { print("\(TextTable.printable(allowance.account))  \(TextTable.printable(allowance.destination))") }
        }
    }
}

/// An account and the destinations an allowance names: country calling codes (`+371`) or the
/// classes `premium` and `high-risk`, as a held call's event names them.
struct AllowanceArguments: ParsableArguments {
    @Argument(help: "The account.")
    var account: String

    @Argument(help: "Destinations: a country calling code (+371), premium or high-risk.")
    var destinations: [String] = []

    /// The checked account, the destinations, and the store they are kept in.
    func opened(_ options: ConfigOptions) async throws -> (account: String, destinations: [String], store: any Store) {
        (try accountArgumentOrExit(account), destinations, try await options.openStoreOrExit())
    }

    func validate() throws {
        guard !destinations.isEmpty else { throw ValidationError("Name at least one destination (+371, premium, high-risk).") }
        for destination in destinations {
            let isCountry = destination.hasPrefix("+") && destination.count > 1 && destination.count <= 4
                && destination.dropFirst().allSatisfy { ("0"..."9").contains($0) }
            guard isCountry || ["premium", "high-risk"].contains(destination) else {
                throw ValidationError("\"\(destination)\" is neither a country calling code (+371) nor premium or high-risk.")
            }
        }
    }
}

/// How `account show` words counters and suspensions.
enum AccountCounters {
    static func lines(_ snapshot: AccountSnapshot) -> [String] {
        var rows: [(String, String)] = [("class of service", snapshot.classOfService)]
        if let group = snapshot.group { rows.append(("group", group)) }
        rows += [
            ("calls in the last minute", String(snapshot.callsLastMinute)),
            ("calls in progress", String(snapshot.concurrentCalls)),
            ("calls today", String(snapshot.callsToday)),
            ("international in the last hour", String(snapshot.internationalLastHour)),
            ("short-call run", snapshot.shortCallRun > 0 && snapshot.shortCallPrefix != nil
                ? "\(snapshot.shortCallRun) (to \(snapshot.shortCallPrefix!))" : String(snapshot.shortCallRun)),
            ("minutes today", TollgateCDRFormat.seconds((snapshot.minutesToday * 10).rounded() / 10)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + TextTable.printable($0.1) }
    }

    static func describe(_ record: SuspensionRecord) -> String {
        let suspension = record.suspension
        let what = "since \(Timestamp.text(suspension.since)) by rule \(TextTable.printable(suspension.rule)): \(TextTable.printable(suspension.reason))"
        if let lifted = record.lifted { return "not suspended (last suspended \(what); lifted \(Timestamp.text(lifted)))" }
        return "SUSPENDED \(what)"
    }
}

/// An account as `account show --json` and `account list --json` print it; unknown values are `null`.
struct AccountShowing: Encodable {
    enum CodingKeys: String, CodingKey {
        case account, suspended, snapshot, suspension, counterResetRequested, calls
    }

    var account: String
    var snapshot: AccountSnapshot?
    var suspension: SuspensionRecord?
    var counterReset: Date?
    /// The last calls (`account show` only).
    var calls: [CallDetailRecord]?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(account, forKey: .account)
        try container.encode(suspension?.isActive ?? false, forKey: .suspended)
        try container.encode(snapshot.map(SnapshotListing.init), forKey: .snapshot)
        try container.encode(suspension.map(SuspensionListing.init), forKey: .suspension)
        if let calls {
            try container.encode(counterReset.map(Timestamp.text), forKey: .counterResetRequested)
            try container.encode(calls.map(TollgateCDRFormat.JSONRecord.init), forKey: .calls)
        }
    }

    static func text(of value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

/// An account's counters in JSON.
struct SnapshotListing: Encodable {
    var snapshot: AccountSnapshot

    enum CodingKeys: String, CodingKey {
        case group, classOfService, callsLastMinute, concurrentCalls, callsToday, internationalLastHour, shortCallRun, shortCallPrefix,
             minutesToday, time
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(snapshot.group, forKey: .group)
        try container.encode(snapshot.classOfService, forKey: .classOfService)
        try container.encode(snapshot.callsLastMinute, forKey: .callsLastMinute)
        try container.encode(snapshot.concurrentCalls, forKey: .concurrentCalls)
        try container.encode(snapshot.callsToday, forKey: .callsToday)
        try container.encode(snapshot.internationalLastHour, forKey: .internationalLastHour)
        try container.encode(snapshot.shortCallRun, forKey: .shortCallRun)
        try container.encode(snapshot.shortCallPrefix, forKey: .shortCallPrefix)
        try container.encode(snapshot.minutesToday, forKey: .minutesToday)
        try container.encode(Timestamp.text(snapshot.time), forKey: .time)
    }
}

/// An account's suspension in JSON.
struct SuspensionListing: Encodable {
    var record: SuspensionRecord

    enum CodingKeys: String, CodingKey {
        case since, rule, reason, active, lifted
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Timestamp.text(record.suspension.since), forKey: .since)
        try container.encode(record.suspension.rule, forKey: .rule)
        try container.encode(record.suspension.reason, forKey: .reason)
        try container.encode(record.isActive, forKey: .active)
        try container.encode(record.lifted.map(Timestamp.text), forKey: .lifted)
    }
}
