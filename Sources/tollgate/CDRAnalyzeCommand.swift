import ArgumentParser
import Foundation
import TollgateModel
import TollgateConfig
import TollgateFraud

/// `tollgate cdr analyze FILE --format …`: replays a PBX's CDR file through the gateway's fraud
/// rules and reports what they find.
struct CDRAnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run the fraud rules over a CDR file and report the findings.",
        discussion: """
            FORMAT is asterisk (Master.csv from cdr_csv), freeswitch (mod_cdr_csv's default template) or \
            tollgate (tollgate cdr export). The rules and thresholds come from the fraud section of the \
            configuration (--config, else ./tollgate.yaml when present, else the documented defaults). \
            Asterisk and FreeSWITCH times are local: they are read in --timezone, else the configuration's \
            fraud.after_hours.time_zone (UTC by default); --timezone also sets the zone of the rules' \
            calendar days and after-hours windows.

            Beside the thresholds, each account's calls are judged against its own normal, learned from \
            its earlier calls in the file (or first from --baseline FILE): a first call to a country or to \
            a premium-rate or high-risk class it never called, an hour far busier than its usual for that \
            hour of the week, and premium or high-risk calls repeated over hours or days. Accounts with \
            less than 14 days and 20 calls of history are judged by the thresholds alone (--no-baselines: \
            all accounts).

            Rows are replayed in start order (a file is written as calls end). Malformed rows are \
            reported with their line and skipped. A summary goes to standard output, the findings to \
            --json FILE as a JSON array, and an HTML report with charts to cdr-report.html (or --html FILE).

            Exit status: 0 no findings, 3 findings, 2 the file, the options or the configuration cannot be used.
            """
    )

    @Argument(help: "The CDR file.")
    var file: String

    @Option(name: .long, help: ArgumentHelp("The file's layout: asterisk, freeswitch or tollgate.", valueName: "format"))
    var format: String

    @Option(name: .long, help: "Configuration file with the fraud rules (default: ./tollgate.yaml when present).")
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Write the findings to this file as a JSON array.", valueName: "file"))
    var json: String?

    @Option(name: .long, help: ArgumentHelp("Write the HTML report here.", valueName: "file"))
    var html = "cdr-report.html"

    @Flag(name: .long, help: "Do not write the HTML report.")
    var noHtml = false

    @Option(name: .long, help: ArgumentHelp("IANA time zone of the file's local times (e.g. Europe/London).", valueName: "tz"))
    var timezone: String?

    @Option(name: .long, help: ArgumentHelp("How long a row may wait for earlier-starting rows (e.g. 4h, 30m).", valueName: "duration"))
    var reorderHorizon = "4h"

    @Option(name: .long, help: "How many malformed rows to print (all are counted).")
    var showMalformed = 20

    @Flag(name: .long, help: "No progress bar on standard error.")
    var noProgress = false

    @Flag(name: .long, help: "Judge calls by the thresholds alone, not also against each account's own normal.")
    var noBaselines = false

    @Option(name: .long, help: ArgumentHelp("A CDR file (same layout) to learn each account's normal from first.", valueName: "file"))
    var baseline: String?

    func run() async throws {
        guard let cdrFormat = CDRFormat(rawValue: format.lowercased()) else {
            printError("--format: \"\(format)\" is not one of asterisk, freeswitch, tollgate")
            throw ExitCode(2)
        }
        guard showMalformed >= 0 else {
            printError("--show-malformed must be 0 or more")
            throw ExitCode(2)
        }
        let horizon: TimeInterval
        do {
            horizon = try DurationText(parsing: reorderHorizon, allowPermanent: false).timeInterval
        } catch {
            printError("--reorder-horizon: \(error.description)")
            throw ExitCode(2)
        }
        var fraud = try loadFraudConfig()
        if let timezone {
            guard TimeZone(identifier: timezone) != nil else {
                printError("--timezone: \(CDRFileError.unknownTimeZone(timezone).description)")
                throw ExitCode(2)
            }
            fraud.afterHours.timeZone = timezone
        }
        guard let zone = TimeZone(identifier: fraud.afterHours.timeZone) else {
            printError(CDRFileError.unknownTimeZone(fraud.afterHours.timeZone).description)
            throw ExitCode(2)
        }
        let engine: FraudEngine
        do {
            let classifier = NumberClassifier(config: fraud.numbering, prefixes: try HighRiskPrefixes.shipped())
            engine = try FraudEngine(config: fraud, classifier: classifier, enforcing: false)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }

        var bar = ProgressBar(enabled: !noProgress && ProgressBar.standardErrorIsTerminal)
        var analyzerOptions = CDRAnalyzer.Options(format: cdrFormat, timeZone: zone, reorderHorizon: horizon)
        analyzerOptions.judgesClassOfService = fraud.hasServiceClassPolicy
        analyzerOptions.homeCountry = fraud.numbering.countryCode
        analyzerOptions.thresholdsAreDefaults = fraud.thresholds == .accountDefaults && fraud.groups.allSatisfy { $0.thresholds == nil }
        if noBaselines { analyzerOptions.baselines = nil }
        analyzerOptions.baselineFile = baseline
        let analyzer = CDRAnalyzer(options: analyzerOptions)
        let analysis: CDRAnalysis
        do {
            analysis = try analyzer.analyze(path: file, engine: engine) { progress in
                bar.update(bytes: progress.bytesRead, of: progress.fileSize, rows: progress.rows)
            }
        } catch {
            bar.finish()
            printError(error.description)
            throw ExitCode(2)
        }
        bar.finish()

        print(summary(analysis))
        if let json {
            do {
                try FraudFinding.json(analysis.findings).write(to: URL(fileURLWithPath: json))
                print("findings written to \(json)")
            } catch {
                printError("cannot write \(json): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if !noHtml {
            let report = CDRReportHTML(analysis: analysis, fileName: URL(fileURLWithPath: file).lastPathComponent)
            do {
                try Data(report.rendered.utf8).write(to: URL(fileURLWithPath: html))
                print("HTML report written to \(html)")
            } catch {
                printError("cannot write \(html): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if !analysis.findings.isEmpty { throw ExitCode(3) }
    }

    /// The `fraud:` section of the configuration, or the defaults when there is no file.
    private func loadFraudConfig() throws -> FraudConfig {
        var path = config
        if path == nil, FileManager.default.fileExists(atPath: "tollgate.yaml") { path = "tollgate.yaml" }
        guard let path else { return FraudConfig() }
        do {
            return try TollgateConfig.load(path: path).fraud
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    /// The text printed on standard output.
    func summary(_ analysis: CDRAnalysis) -> String {
        let dates = DateFormatter()
        dates.locale = Locale(identifier: "en_US_POSIX")
        dates.timeZone = TimeZone(identifier: analysis.timeZone)
        dates.dateFormat = "yyyy-MM-dd HH:mm"
        var lines: [String] = []
        lines.append("\(file) (\(analysis.format.rawValue), times in \(analysis.timeZone))")
        var facts: [(String, String)] = [("rows analysed", "\(analysis.rows)"), ("malformed rows", "\(analysis.malformedCount)")]
        if analysis.inbound > 0 { facts.append(("inbound (not analysed)", "\(analysis.inbound)")) }
        if analysis.lateRows > 0 { facts.append(("rows beyond the reorder horizon", "\(analysis.lateRows)")) }
        if let first = analysis.firstStart, let last = analysis.lastEnd {
            facts.append(("period", "\(dates.string(from: first)) to \(dates.string(from: last))"))
        }
        facts.append(("answered calls", "\(analysis.answered) (\(Int(analysis.minutes.rounded())) minutes)"))
        let classes = analysis.classesSeen.map { "\($0) \(analysis.callsByClass[$0] ?? 0)" }.joined(separator: ", ")
        facts.append(("calls by class", classes.isEmpty ? "none" : classes))
        let width = facts.map(\.0.count).max() ?? 0
        for (name, value) in facts {
            lines.append("  " + name + String(repeating: " ", count: width - name.count) + "  " + TextTable.printable(value))
        }
        if analysis.malformedCount > 0, showMalformed > 0 {
            let shown = analysis.malformed.prefix(showMalformed)
            lines.append("")
            lines.append(shown.count < analysis.malformedCount
                ? "malformed rows (first \(shown.count) of \(analysis.malformedCount)):" : "malformed rows:")
            for row in shown { lines.append("  " + TextTable.printable(row.description)) }
        }
        if !analysis.classOfServiceJudged { lines += Self.callPatternLines(analysis.callPatterns) }
        lines.append("")
        guard !analysis.findings.isEmpty else {
            lines.append("no findings")
            return lines.joined(separator: "\n")
        }
        lines.append("findings: \(analysis.findings.count)")
        if let headline = FraudFinding.headline(analysis.findings) { lines.append(TextTable.printable(headline)) }
        var table = TextTable("RULE", "ACCOUNT", "SEVERITY", "WINDOW", "VALUE/LIMIT", "CALLS", "NUMBERS")
        for finding in FraudFinding.ranked(analysis.findings) {
            var numbers = finding.numbers.prefix(3).joined(separator: " ")
            if finding.numberCount > 3 { numbers += " +\(finding.numberCount - 3) more" }
            let window = finding.windowStart == finding.windowEnd
                ? dates.string(from: finding.windowStart)
                : "\(dates.string(from: finding.windowStart)) to \(dates.string(from: finding.windowEnd))"
            table.append([
                finding.rule.rawValue, finding.account, finding.severity.rawValue, window,
                !finding.rule.hasLevel ? "-" : "\(Self.number(finding.value))/\(Self.number(finding.limit))",
                "\(finding.lineCount)", numbers,
            ])
        }
        lines.append(table.rendered)
        return lines.joined(separator: "\n")
    }

    /// How many accounts the "who calls where" table lists.
    static let patternRows = 50

    /// With no class of service written: who calls where, and the policy that would allow it.
    static func callPatternLines(_ patterns: [AccountCallPattern]) -> [String] {
        var lines = ["", "no classes of service are configured, so calls are not judged by destination; who calls where:"]
        let ordered = AccountCallPattern.ordered(patterns)
        var table = TextTable("ACCOUNT", "CALLS", "BY CLASS", "COUNTRIES")
        for pattern in ordered.prefix(patternRows) {
            let classes = pattern.classSummary.joined(separator: ", ")
            let countries = pattern.countrySummary.joined(separator: ", ")
            table.append([pattern.account, "\(pattern.calls)", classes, countries.isEmpty ? "-" : countries])
        }
        lines.append(table.rendered)
        if ordered.count > patternRows { lines.append("(\(ordered.count - patternRows) more accounts, national calls only or fewer calls)") }
        lines.append("")
        lines.append("proposed policy that allows these calls (review it, then add it to tollgate.yaml):")
        for line in ServiceClassProposal(patterns: patterns).yaml.split(separator: "\n") { lines.append(TextTable.printable(String(line))) }
        return lines
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }
}
