import ArgumentParser
import Foundation
import TollgateStore
import TollgateModel

/// `tollgate events`: the security event log, newest first.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List security events (drops, rejects, bans, failovers), newest first.",
        discussion: """
            WHEN is a duration back from now (10m, 2h, 1d) or an ISO-8601 time (2025-06-15T10:00:00Z). \
            Filters combine: --kind ban --since 1d lists the bans of the last day.

            Exits 2 for a WHEN or address that cannot be used.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Only events at or after WHEN.", valueName: "when"))
    var since: String?

    @Option(name: .long, help: "Only events of this kind (e.g. ban, scanner, rate-limit, malformed).")
    var kind: String?

    @Option(name: .long, help: "Only events about this source address.")
    var source: String?

    @Option(name: .long, help: "At most this many events.")
    var limit = 100

    @Flag(name: .long, help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        var query = EventQuery(kind: kind, limit: limit)
        if let since {
            do {
                query.since = try PointInTimeText(parsing: since).date
            } catch {
                printError("--since: \(error.description)")
                throw ExitCode(2)
            }
        }
        if let source { query.source = try sourceAddressOrExit(source) }
        let store = try await options.openStoreOrExit()
        let events = try await store.events(query)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(events.map(EventListing.init))
            print(String(decoding: data, as: UTF8.self))
            return
        }
        guard !events.isEmpty else {
            print("no events")
            return
        }
        var table = TextTable("TIME", "SEVERITY", "KIND", "SOURCE", "RULE", "DETAIL")
        for event in events {
            table.append([Timestamp.text(event.time), event.severity.rawValue, event.kind, event.source.isEmpty ? "-" : event.source,
                          event.rule, event.detail])
        }
        print(table.rendered)
    }
}

/// One event as `events --json` prints it.
struct EventListing: Encodable {
    var time: String
    var kind: String
    var source: String
    var rule: String
    var detail: String
    var severity: String

    init(_ event: SecurityEvent) {
        time = Timestamp.text(event.time)
        kind = event.kind
        source = event.source
        rule = event.rule
        detail = event.detail
        severity = event.severity.rawValue
    }
}
