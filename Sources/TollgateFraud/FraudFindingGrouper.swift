import Foundation

/// Groups fraud alarms into ``FraudFinding``s.
///
/// Alarms are keyed by rule, scope and account (all accounts together for a global rule). An
/// alarm joins the open finding of its key when its window starts no later than that finding's
/// window end plus the alarm's own window length (an hour for an alarm whose window is a single
/// moment); otherwise it opens a new finding. A finding takes the highest severity, the widest
/// window, the peak value and the limit of the highest severity reached.
public struct FraudFindingGrouper: Sendable {
    private struct Key: Hashable {
        var rule: FraudRule
        var scope: FraudScope
        var account: String
    }

    private struct Open {
        var finding: FraudFinding
        var numbers: Set<String>
        var lastLine: Int
        /// The highest line in `finding.lines`: a line above it is not there, without a search.
        var highestLine: Int
        /// The alarm whose sentence the finding shows: written into `finding.detail` only when the
        /// findings are read (a value that keeps growing would otherwise rewrite it at every alarm).
        var detailAlarm: FraudAlarm
    }

    private var open: [Key: Int] = [:]
    private var all: [Open] = []
    /// Distinct numbers tracked per finding (the count stops growing there).
    private let maxNumberCount = 10_000

    public init() {}

    /// How many findings there are so far.
    public var count: Int { all.count }

    /// Adds an alarm raised by the call on `line` to `dialled`.
    public mutating func add(_ alarm: FraudAlarm, dialled: String, line: Int) {
        let key = Key(rule: alarm.rule, scope: alarm.scope, account: alarm.scope == .global ? "*" : alarm.account)
        let length = alarm.windowEnd.timeIntervalSince(alarm.windowStart)
        let tolerance = length > 0 ? length : 3600
        if let index = open[key], alarm.windowStart <= all[index].finding.windowEnd.addingTimeInterval(tolerance) {
            Self.merge(alarm, dialled: dialled, line: line, maxNumberCount: maxNumberCount, into: &all[index])
            return
        }
        open[key] = all.count
        all.append(Self.newFinding(alarm, key: key, dialled: dialled, line: line))
    }

    private static func newFinding(_ alarm: FraudAlarm, key: Key, dialled: String, line: Int) -> Open {
        var finding = FraudFinding(
            rule: alarm.rule, scope: alarm.scope, account: key.account, severity: alarm.severity, windowStart: alarm.windowStart,
            windowEnd: alarm.windowEnd, value: alarm.value, limit: alarm.limit, alarmCount: 1, numbers: [], numberCount: 0,
            lines: [line], lineCount: 1, detail: alarm.detail
        )
        var numbers = Set<String>()
        if !dialled.isEmpty {
            finding.numbers = [dialled]
            finding.numberCount = 1
            numbers.insert(dialled)
        }
        return Open(finding: finding, numbers: numbers, lastLine: line, highestLine: line, detailAlarm: alarm)
    }

    /// Adds an alarm out of time order (one held back until the end of a replay): it joins any
    /// finding of its key whose window, widened by the alarm's own length, it falls in; otherwise it
    /// is a finding of its own. The open findings are left as they are.
    public mutating func addLate(_ alarm: FraudAlarm, dialled: String, line: Int) {
        let key = Key(rule: alarm.rule, scope: alarm.scope, account: alarm.scope == .global ? "*" : alarm.account)
        let length = alarm.windowEnd.timeIntervalSince(alarm.windowStart)
        let tolerance = length > 0 ? length : 3600
        if let index = all.indices.first(where: { index in
            let finding = all[index].finding
            return Key(rule: finding.rule, scope: finding.scope, account: finding.account) == key
                && alarm.windowStart <= finding.windowEnd.addingTimeInterval(tolerance)
                && alarm.windowEnd >= finding.windowStart.addingTimeInterval(-tolerance)
        }) {
            Self.merge(alarm, dialled: dialled, line: line, maxNumberCount: maxNumberCount, into: &all[index])
            return
        }
        all.append(Self.newFinding(alarm, key: key, dialled: dialled, line: line))
    }

    private static func merge(_ alarm: FraudAlarm, dialled: String, line: Int, maxNumberCount: Int, into entry: inout Open) {
        // Changed in place: `entry` is the table's own element, so its arrays are never copied.
        entry.finding.alarmCount += 1
        entry.finding.windowStart = min(entry.finding.windowStart, alarm.windowStart)
        entry.finding.windowEnd = max(entry.finding.windowEnd, alarm.windowEnd)
        if alarm.severity > entry.finding.severity {
            entry.finding.severity = alarm.severity
            entry.finding.limit = alarm.limit
            entry.finding.value = alarm.value
            entry.detailAlarm = alarm
        } else if alarm.severity == entry.finding.severity, alarm.value > entry.finding.value {
            entry.finding.value = alarm.value
            entry.finding.limit = alarm.limit
            entry.detailAlarm = alarm
        }
        if !dialled.isEmpty, entry.numbers.count < maxNumberCount, entry.numbers.insert(dialled).inserted {
            entry.finding.numberCount += 1
            if entry.finding.numbers.count < FraudFinding.maxNumbers { entry.finding.numbers.append(dialled) }
        }
        if line != entry.lastLine {
            entry.lastLine = line
            // In a replay lines come in ascending order: a line above every kept one is new without
            // a search (only an alarm added late can repeat an earlier line).
            if line > entry.highestLine || !entry.finding.lines.contains(line) {
                entry.finding.lineCount += 1
                if entry.finding.lines.count < FraudFinding.maxLines {
                    entry.finding.lines.append(line)
                    entry.highestLine = max(entry.highestLine, line)
                }
            }
        }
    }

    /// The findings, by window start then rule and account, with their lines ascending.
    public var findings: [FraudFinding] {
        all.map { entry in
            var finding = entry.finding
            finding.detail = entry.detailAlarm.detail
            finding.lines.sort()
            return finding
        }.sorted {
            ($0.windowStart, $0.rule.rawValue, $0.account) < ($1.windowStart, $1.rule.rawValue, $1.account)
        }
    }
}
