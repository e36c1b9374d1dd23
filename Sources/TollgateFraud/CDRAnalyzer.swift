import Foundation

/// Analyses a CDR file: reads it row by row, replays the calls in time order to a fraud policy
/// (``FraudEngine`` in offline mode), groups the alarms into findings and totals the traffic.
public struct CDRAnalyzer: Sendable {
    /// How to read the file and what to keep.
    public struct Options: Sendable, Hashable {
        public var format: CDRFormat
        /// The zone of the file's local times and of hours of the day.
        public var timeZone: TimeZone
        /// See ``CDRReplay/horizon``.
        public var reorderHorizon: TimeInterval
        /// How many malformed rows are kept for the report (all are counted).
        public var keptMalformedRows: Int
        /// How many destinations the top list has.
        public var topDestinations: Int
        /// How many leading digits of an E.164 number make a destination in the top list.
        public var destinationDigits: Int
        /// How many distinct destinations are totalled before the rest go to `other`.
        public var maxDestinations: Int
        /// Whether calls are judged against classes of service. Off when the operator has written
        /// none: a default refusing every call abroad would bury real findings under ordinary calls;
        /// the analysis records who calls where instead (``CDRAnalysis/callPatterns``).
        public var judgesClassOfService = true
        /// How each account's calls are judged against its own normal (``BaselineDetector``);
        /// `nil`: by the thresholds alone.
        public var baselines: BaselineDetector.Settings? = BaselineDetector.Settings()
        /// The home country's calling code, for the baselines' "abroad".
        public var homeCountry = "44"
        /// A file (same layout) whose calls only teach the baselines, before the file analysed.
        public var baselineFile: String?
        /// Whether the account thresholds are the documented defaults (none written by the
        /// operator): a warning then stands only above the account's own normal.
        public var thresholdsAreDefaults = false

        public init(
            format: CDRFormat, timeZone: TimeZone = TimeZone(identifier: "UTC")!, reorderHorizon: TimeInterval = 4 * 3600,
            keptMalformedRows: Int = 1000, topDestinations: Int = 10, destinationDigits: Int = 6, maxDestinations: Int = 100_000
        ) {
            self.format = format
            self.timeZone = timeZone
            self.reorderHorizon = reorderHorizon
            self.keptMalformedRows = keptMalformedRows
            self.topDestinations = topDestinations
            self.destinationDigits = destinationDigits
            self.maxDestinations = maxDestinations
        }
    }

    /// How far the reading has got, for a progress bar.
    public struct Progress: Sendable, Hashable {
        public var bytesRead: Int64
        /// 0 when unknown.
        public var fileSize: Int64
        public var rows: Int
    }

    public var options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Replays the file at `path` through `engine` (the generic path below, specialised here so
    /// that the replay's calls into the engine are direct).
    public func analyze(path: String, engine: FraudEngine, progress: ((Progress) -> Void)? = nil) throws(CDRFileError) -> CDRAnalysis {
        try analyze(path: path, policy: engine, progress: progress)
    }

    /// Analyses the file at `path` with `policy`; `progress` is called every few thousand rows.
    ///
    /// - Throws: ``CDRFileError`` when the file cannot be opened or read, or when most of its rows
    ///   are not in the layout asked for.
    public func analyze<Policy: FraudPolicy>(
        path: String, policy: Policy, progress: ((Progress) -> Void)? = nil
    ) throws(CDRFileError) -> CDRAnalysis {
        var reader = try CDRFileReader(path: path, format: options.format, clock: CDRClock(timeZone: options.timeZone))
        var clock = LocalClock(timeZone: options.timeZone)
        var replay = CDRReplay(policy: policy, horizon: options.reorderHorizon)
        var totals = Totals(options: options)
        var detector = options.baselines.map { BaselineDetector(settings: $0, home: options.homeCountry, timeZone: options.timeZone) }
        if var primed = detector, let baselineFile = options.baselineFile {
            try prime(&primed, from: baselineFile, policy: policy)
            detector = primed
        }
        let zoneName = options.timeZone.identifier == "GMT" ? "UTC" : options.timeZone.identifier
        var analysis = CDRAnalysis(format: options.format, timeZone: zoneName)
        var sinceProgress = 0
        // Warnings of default thresholds raised before the account had a baseline: judged at the
        // end against the normal the whole file showed (a sales floor's first fortnight).
        var provisional: [(alarm: FraudAlarm, dialled: String, line: Int)] = []
        var latest = Date.distantPast
        func judge(_ alarm: FraudAlarm, dialled: String, line: Int, at time: Date) {
            latest = max(latest, time)
            if options.thresholdsAreDefaults, alarm.severity == .warning, let detector {
                if detector.isWithinNormal(alarm, at: time) { return }
                if !detector.hasBaseline(for: alarm, at: time), provisional.count < Self.provisionalLimit {
                    provisional.append((alarm, dialled, line))
                    return
                }
            }
            totals.grouper.add(alarm, dialled: dialled, line: line)
        }

        func handle(_ outcome: CDRReplay<Policy>.Outcome) {
            switch outcome {
            case .began(let row, let decision):
                totals.count(row, decision, hour: clock.moment(row.record.start).minute / 60, into: &analysis)
                if !options.judgesClassOfService { totals.notePattern(row, decision) }
                for alarm in decision.alarms where options.judgesClassOfService || alarm.rule != .classOfService {
                    judge(alarm, dialled: row.record.to, line: row.line, at: row.record.start)
                }
                let record = row.record
                if let alarms = detector?.observe(callID: record.callID, account: record.account, dialled: record.to, at: record.start,
                                                  classification: decision.classification) {
                    for alarm in alarms { totals.grouper.add(alarm, dialled: record.to, line: row.line) }
                }
            case .ended(let row, let alarms, let destination):
                for alarm in alarms {
                    judge(alarm, dialled: row.record.to, line: row.line, at: row.record.end)
                }
                detector?.ended(account: row.record.account, at: row.record.end, billableSeconds: row.record.billableSeconds,
                                answeredDestination: destination)
            }
        }

        loop: while true {
            switch try reader.next() {
            case .end:
                break loop
            case .row(let row):
                analysis.rows += 1
                replay.add(row, handle)
            case .malformed(let bad):
                analysis.malformedCount += 1
                if analysis.malformed.count < options.keptMalformedRows { analysis.malformed.append(bad) }
            case .inbound:
                analysis.inbound += 1
            }
            sinceProgress += 1
            if sinceProgress >= 4096, let progress {
                sinceProgress = 0
                progress(Progress(bytesRead: reader.bytesRead, fileSize: reader.fileSize, rows: analysis.rows))
            }
        }
        replay.finish(handle)
        progress?(Progress(bytesRead: reader.bytesRead, fileSize: reader.fileSize, rows: analysis.rows))
        // Garbage in is not "no findings": a file whose rows mostly do not parse is refused.
        let readable = analysis.rows + analysis.inbound
        if analysis.malformedCount > readable {
            throw CDRFileError.unreadableLayout(format: options.format, unreadable: analysis.malformedCount, readable: readable,
                                                first: analysis.malformed)
        }
        analysis.lateRows = replay.lateRows
        for entry in provisional where !(detector?.isWithinNormal(entry.alarm, at: latest) ?? false) {
            totals.grouper.addLate(entry.alarm, dialled: entry.dialled, line: entry.line)
        }
        analysis.findings = totals.grouper.findings
        analysis.classOfServiceJudged = options.judgesClassOfService
        analysis.callPatterns = totals.patterns.values.sorted { $0.account < $1.account }
        analysis.topDestinations = totals.top(options.topDestinations)
        return analysis
    }

    /// How many early warnings wait for the end of the file to be judged; later ones stand as they are.
    static let provisionalLimit = 200_000

    /// Teaches `detector` the calls of the file at `path` (their alarms are not findings), with a
    /// copy of `policy` to classify them.
    private func prime<Policy: FraudPolicy>(_ detector: inout BaselineDetector, from path: String, policy: Policy) throws(CDRFileError) {
        var reader = try CDRFileReader(path: path, format: options.format, clock: CDRClock(timeZone: options.timeZone))
        var replay = CDRReplay(policy: policy, horizon: options.reorderHorizon)
        var rows = 0
        var malformed = 0
        func handle(_ outcome: CDRReplay<Policy>.Outcome) {
            switch outcome {
            case .began(let row, let decision):
                _ = detector.observe(callID: row.record.callID, account: row.record.account, dialled: row.record.to, at: row.record.start,
                                     classification: decision.classification)
            case .ended(let row, _, let destination):
                detector.ended(account: row.record.account, at: row.record.end, billableSeconds: row.record.billableSeconds,
                               answeredDestination: destination)
            }
        }
        loop: while true {
            switch try reader.next() {
            case .end: break loop
            case .row(let row):
                rows += 1
                replay.add(row, handle)
            case .malformed: malformed += 1
            case .inbound: rows += 1
            }
        }
        replay.finish(handle)
        if malformed > rows { throw CDRFileError.unreadableLayout(format: options.format, unreadable: malformed, readable: rows, first: []) }
    }

    /// The running totals behind a ``CDRAnalysis``.
    private struct Totals {
        var grouper = FraudFindingGrouper()
        var destinations: [String: CDRAnalysis.DestinationTotal] = [:]
        var patterns: [String: AccountCallPattern] = [:]

        /// Notes where an account's call went (when classes of service are not judged).
        mutating func notePattern(_ row: CDRRow, _ decision: FraudDecision) {
            let account = row.record.account
            let className = decision.classification?.numberClass.rawValue ?? CDRAnalysis.unreadableClass
            let country = decision.classification?.countryCode
            let abroad = className != "national" && className != "mobile" && className != "internal"
            // One lookup of the account a call.
            Self.change(&patterns[account, default: AccountCallPattern(account: account)]) { pattern in
                pattern.classes[className, default: 0] += 1
                if let country, abroad { pattern.countries[country, default: 0] += 1 }
            }
        }

        /// Changes `value` in place (a dictionary's entry, reached once).
        private static func change<Value>(_ value: inout Value, _ body: (inout Value) -> Void) {
            body(&value)
        }
        let digits: Int
        let maxDestinations: Int

        init(options: Options) {
            digits = max(1, options.destinationDigits)
            maxDestinations = options.maxDestinations
        }

        mutating func count(_ row: CDRRow, _ decision: FraudDecision, hour: Int, into analysis: inout CDRAnalysis) {
            let record = row.record
            let className = decision.classification?.numberClass.rawValue ?? CDRAnalysis.unreadableClass
            analysis.callsByClass[className, default: 0] += 1
            analysis.callsByHour[className, default: Array(repeating: 0, count: 24)][hour] += 1
            let minutes = record.billableSeconds / 60
            if record.answer != nil {
                analysis.answered += 1
                analysis.minutes += minutes
            }
            if analysis.firstStart.map({ record.start < $0 }) ?? true { analysis.firstStart = record.start }
            if analysis.lastEnd.map({ record.end > $0 }) ?? true { analysis.lastEnd = record.end }

            var key: String
            if let e164 = decision.classification?.e164 {
                key = e164.count - 1 > digits ? String(e164.prefix(digits + 1)) + "…" : e164
            } else {
                key = record.to
            }
            if destinations.count >= maxDestinations, destinations[key] == nil { key = "other" }
            Self.change(&destinations[key, default: CDRAnalysis.DestinationTotal(destination: key, numberClass: className, calls: 0, minutes: 0)]) {
                $0.calls += 1
                $0.minutes += minutes
            }
        }

        func top(_ count: Int) -> [CDRAnalysis.DestinationTotal] {
            Array(destinations.values.sorted {
                ($0.calls, $0.minutes, $1.destination) > ($1.calls, $1.minutes, $0.destination)
            }.prefix(count))
        }
    }
}
