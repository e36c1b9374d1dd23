import ArgumentParser
import Foundation
import TollgateModel
import TollgateStore

/// The filters `cdr list` and `cdr export` share.
struct CDRFilterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only calls that started at or after WHEN.", valueName: "when"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only calls that started before WHEN.", valueName: "when"))
    var until: String?

    @Option(name: .long, help: "Only calls counted against this account.")
    var account: String?

    @Option(name: .customLong("call-id"), help: "Only calls with this Call-ID.")
    var callID: String?

    /// The query these filters make; a WHEN or account that cannot be used is printed as an error and
    /// ends the command with status 2.
    func queryOrExit(limit: Int = 1000) throws -> CDRQuery {
        var query = CDRQuery(limit: limit)
        query.since = try Self.pointInTimeOrExit(since, option: "--since")
        query.until = try Self.pointInTimeOrExit(until, option: "--until")
        if let since = query.since, let until = query.until, until <= since {
            printError("--until (\(Timestamp.text(until))) must be later than --since (\(Timestamp.text(since)))")
            throw ExitCode(2)
        }
        if let account { query.account = try accountArgumentOrExit(account, option: "--account") }
        if let callID {
            guard !callID.isEmpty else {
                printError("--call-id: the Call-ID is empty")
                throw ExitCode(2)
            }
            query.callID = callID
        }
        return query
    }

    private static func pointInTimeOrExit(_ text: String?, option: String) throws -> Date? {
        guard let text else { return nil }
        do {
            return try PointInTimeText(parsing: text).date
        } catch {
            printError("\(option): \(error.description)")
            throw ExitCode(2)
        }
    }
}
