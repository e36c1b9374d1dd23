import ArgumentParser
import Foundation
import TollgateFraud
import TollgateModel
import TollgateStore

/// `tollgate cdr import FILE --format …`: stores a PBX's CDR history, so the gateway's fraud
/// control knows each account's normal from its first call.
struct CDRImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store the outbound calls of a PBX's CDR file, so each account's normal is known from the start.",
        discussion: """
            FORMAT is asterisk, freeswitch or tollgate, read as `cdr analyze` reads them (local times in \
            --timezone, UTC by default). Each outbound call becomes a record in the store (store.path), \
            which the gateway learns each account's normal from at start-up (fraud.anomalies.history_days). \
            A call already stored (same start, account and number, and Call-ID when the file has one) \
            is skipped, so a file can be imported again. Malformed rows are counted and skipped; a file \
            whose rows mostly do not parse is refused before anything is stored.

            Exit status: 0 imported, 2 the file, an option or the store cannot be used.
            """
    )

    @Argument(help: "The CDR file.")
    var file: String

    @Option(name: .long, help: ArgumentHelp("The file's layout: asterisk, freeswitch or tollgate.", valueName: "format"))
    var format: String

    @Option(name: .long, help: ArgumentHelp("IANA time zone of the file's local times (e.g. Europe/London).", valueName: "tz"))
    var timezone = "UTC"

    @OptionGroup var options: ConfigOptions

    /// Records stored per write.
    static let batchSize = 5_000

    func run() async throws {
        guard let cdrFormat = CDRFormat(rawValue: format.lowercased()) else {
            printError("--format: \"\(format)\" is not one of asterisk, freeswitch, tollgate")
            throw ExitCode(2)
        }
        // The whole file is read once before anything is stored: one that mostly does not parse is
        // refused with nothing imported.
        do {
            var check = try CDRFileReader(path: file, format: cdrFormat, clock: try CDRClock(timeZoneNamed: timezone))
            var readable = 0
            var unreadable: [CDRMalformedRow] = []
            var unreadableCount = 0
            loop: while true {
                switch try check.next() {
                case .end: break loop
                case .row, .inbound: readable += 1
                case .malformed(let row):
                    unreadableCount += 1
                    if unreadable.count < 20 { unreadable.append(row) }
                }
            }
            if unreadableCount > readable {
                throw CDRFileError.unreadableLayout(format: cdrFormat, unreadable: unreadableCount, readable: readable, first: unreadable)
            }
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        var reader: CDRFileReader
        do {
            reader = try CDRFileReader(path: file, format: cdrFormat, clock: try CDRClock(timeZoneNamed: timezone))
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let store = try await options.openStoreOrExit()
        /// Calls taken in this run, so a file that repeats a row stores it once.
        var seen = Set<String>()
        var batch: [CallDetailRecord] = []
        var imported = 0
        var known = 0
        var firstMalformedLine: Int?
        var malformedCount = 0
        var inbound = 0
        func flush() async throws {
            var fresh: [CallDetailRecord] = []
            for record in batch {
                // The same call: same start, account and number, and the same Call-ID when the file has one.
                let key = "\(record.callID)|\(record.start.timeIntervalSince1970)|\(record.account)|\(record.to)"
                guard seen.insert(key).inserted else {
                    known += 1
                    continue
                }
                let stored = try await store.cdrs(CDRQuery(since: record.start.addingTimeInterval(-0.001), until: record.start.addingTimeInterval(0.001),
                                                           callID: record.callID.isEmpty ? nil : record.callID, limit: 100))
                if stored.contains(where: { $0.account == record.account && $0.to == record.to }) { known += 1 } else { fresh.append(record) }
            }
            if !fresh.isEmpty { try await store.appendCDRs(fresh) }
            imported += fresh.count
            batch.removeAll(keepingCapacity: true)
        }
        do {
            loop: while true {
                switch try reader.next() {
                case .end: break loop
                case .row(let row):
                    batch.append(row.record)
                    if batch.count >= Self.batchSize { try await flush() }
                case .malformed(let row):
                    malformedCount += 1
                    if firstMalformedLine == nil { firstMalformedLine = row.line }
                case .inbound:
                    inbound += 1
                }
            }
            try await flush()
        } catch let error as CDRFileError {
            printError(error.description)
            throw ExitCode(2)
        } catch {
            printError("cannot store the calls: \(error)")
            throw ExitCode(2)
        }
        var summary = "imported \(imported) call\(imported == 1 ? "" : "s") from \(file)"
        if known > 0 { summary += "; \(known) already stored" }
        if inbound > 0 { summary += "; \(inbound) inbound skipped" }
        if malformedCount > 0 { summary += "; \(malformedCount) malformed row\(malformedCount == 1 ? "" : "s") skipped (first at line \(firstMalformedLine ?? 0))" }
        print(summary)
    }
}
