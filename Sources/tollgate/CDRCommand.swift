import ArgumentParser
import Foundation
import TollgateFraud
import TollgateStore
import TollgateModel

/// `tollgate cdr list|export`: the call detail records the gateway stored.
struct CDRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdr",
        abstract: "List and export call detail records, and analyse a PBX's CDR file with the fraud rules.",
        discussion: """
            The gateway stores one record per call when it ends, in the store of the configuration \
            (store.path). WHEN is a duration back from now (10m, 2h, 1d) or an ISO-8601 time \
            (2025-06-15T10:00:00Z); --since and --until compare with the call's start. Filters combine.

            Exits 2 for a WHEN, account or option value that cannot be used.
            """,
        subcommands: [List.self, Export.self, CDRImportCommand.self, CDRAnalyzeCommand.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List call detail records, newest first.")

        @OptionGroup var filter: CDRFilterOptions

        @Option(name: .long, help: "At most this many records.")
        var limit = 100

        @Flag(name: .long, help: "Print a JSON array (the objects of `cdr export --format json`) instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1.") }
        }

        func run() async throws {
            let query = try filter.queryOrExit(limit: limit)
            let store = try await options.openStoreOrExit()
            let records = try await store.cdrs(query)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(records.map(TollgateCDRFormat.JSONRecord.init))
                print(String(decoding: data, as: UTF8.self))
                return
            }
            guard !records.isEmpty else {
                print("no calls")
                return
            }
            print(CDRTable.rendered(records))
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write call detail records as CSV or JSON, in the order they were stored.",
            discussion: """
                CSV (the default) has the header call_id,direction,from,to,class,account,source,trunk,\
                start,answer,end,duration,billsec,disposition,cause,hangup,rule; times are ISO-8601 UTC \
                with milliseconds, durations seconds with up to 3 decimals, unknown values empty, and \
                fields quoted as RFC 4180 says. JSON is one array with one object per line, with the \
                same names as keys and null for unknown values.

                Records are read and written a page at a time, so an export of millions of calls \
                needs little memory. Without --output they go to standard output.
                """)

        @Option(name: .long, help: "csv or json.")
        var format: CDRExportFormat = .csv

        @Option(name: .long, help: ArgumentHelp("Write to FILE (replaced if it exists) instead of standard output.", valueName: "file"))
        var output: String?

        @OptionGroup var filter: CDRFilterOptions

        @Option(name: .customLong("page-size"), help: .hidden)
        var pageSize = 1000

        @OptionGroup var options: ConfigOptions

        func validate() throws {
            guard pageSize > 0 else { throw ValidationError("--page-size must be at least 1.") }
            if let output, output.isEmpty { throw ValidationError("--output needs a file name.") }
        }

        func run() async throws {
            let query = try filter.queryOrExit()
            let store = try await options.openStoreOrExit()
            let handle: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil), let file = FileHandle(forWritingAtPath: output) else {
                    printError("cannot write \(output)")
                    throw ExitCode(1)
                }
                handle = file
            } else {
                handle = FileHandle.standardOutput
            }
            var writer = CDRExportWriter(format: format, handle: handle)
            do {
                try writer.begin()
                var last: Int64 = 0
                while true {
                    let page = try await store.cdrs(after: last, matching: query, limit: pageSize)
                    try writer.write(page)
                    guard page.count == pageSize, let id = page.last?.id else { break }
                    last = id
                }
                try writer.finish()
            } catch {
                if let output {
                    try? handle.close()
                    try? FileManager.default.removeItem(atPath: output)
                    printError("cannot export to \(output): \(error)")
                } else {
                    printError("cannot export: \(error)")
                }
                throw ExitCode(1)
            }
            if let output {
                try handle.close()
                print("exported \(writer.count) \(writer.count == 1 ? "call" : "calls") to \(output)")
            }
        }
    }
}

/// The file formats of `cdr export`.
enum CDRExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

/// Writes an export a page at a time: CSV lines, or a JSON array with one object per line.
struct CDRExportWriter {
    let format: CDRExportFormat
    let handle: FileHandle
    private let encoder = TollgateCDRFormat.jsonEncoder()
    /// How many records were written.
    private(set) var count = 0

    init(format: CDRExportFormat, handle: FileHandle) {
        self.format = format
        self.handle = handle
    }

    func begin() throws {
        switch format {
        case .csv: try handle.write(contentsOf: Data((TollgateCDRFormat.header + "\n").utf8))
        case .json: try handle.write(contentsOf: Data("[".utf8))
        }
    }

    mutating func write(_ records: [CallDetailRecord]) throws {
        guard !records.isEmpty else { return }
        var data = Data()
        for record in records {
            switch format {
            case .csv:
                data.append(contentsOf: (TollgateCDRFormat.line(for: record) + "\n").utf8)
            case .json:
                data.append(contentsOf: (count == 0 ? "\n" : ",\n").utf8)
                data.append(try encoder.encode(TollgateCDRFormat.JSONRecord(record)))
            }
            count += 1
        }
        try handle.write(contentsOf: data)
    }

    func finish() throws {
        if format == .json { try handle.write(contentsOf: Data((count == 0 ? "]\n" : "\n]\n").utf8)) }
    }
}

/// Call detail records as the table `cdr list` and `account show` print.
enum CDRTable {
    static func rendered(_ records: [CallDetailRecord]) -> String {
        var table = TextTable("TIME", "DIRECTION", "ACCOUNT", "FROM", "TO", "CLASS", "TRUNK", "DISPOSITION", "CAUSE", "BILLSEC", "RULE")
        for record in records {
            table.append([
                Timestamp.text(record.start), record.direction.rawValue, record.account, record.from, record.to,
                record.destinationClass ?? "-", record.trunk ?? "-", record.disposition.rawValue, record.cause.map(String.init) ?? "-",
                TollgateCDRFormat.seconds(record.billableSeconds), record.rule ?? "-",
            ])
        }
        return table.rendered
    }
}
