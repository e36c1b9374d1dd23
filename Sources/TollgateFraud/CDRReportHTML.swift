import Foundation
import TollgateModel

/// The HTML report of a ``CDRAnalysis``: one self-contained file (inline CSS and SVG, no script,
/// nothing fetched) with the summary, calls per hour of the day by class, the top destinations,
/// a timeline of the windows that tripped a rule, the findings and the malformed rows.
///
/// Everything taken from the CDR file (accounts, numbers, reasons) is HTML-escaped: a file is
/// hostile input.
public struct CDRReportHTML {
    public var analysis: CDRAnalysis
    /// The file's name as shown in the title.
    public var fileName: String
    /// How many findings the timeline draws and how many malformed rows are listed.
    public var maxTimelineRows = 40
    public var maxMalformedRows = 50

    public init(analysis: CDRAnalysis, fileName: String) {
        self.analysis = analysis
        self.fileName = fileName
    }

    /// The colour a destination class is drawn in.
    static func colour(_ className: String) -> String {
        switch className {
        case "internal": "#94a3b8"
        case "emergency": "#eab308"
        case "national": "#3b82f6"
        case "mobile": "#10b981"
        case "international": "#8b5cf6"
        case "premium": "#f97316"
        case "high-risk": "#dc2626"
        default: "#6b7280"
        }
    }

    /// Text made safe for HTML content and attribute values.
    public static func escape(_ text: String) -> String { HTMLText.escape(text) }

    private var formatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: analysis.timeZone) ?? TimeZone(identifier: "UTC")!
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// The whole document.
    public var rendered: String {
        let e = Self.escape
        let dates = formatter
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>Tollgate CDR analysis — \(e(fileName))</title>
            <style>
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1000px; color: #1f2937; padding: 0 1em; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #e5e7eb; }
            table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            .critical { color: #b91c1c; font-weight: 600; } .warning { color: #b45309; font-weight: 600; }
            .legend span { display: inline-block; margin-right: 1em; } .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
            .muted { color: #6b7280; } code { font-size: 0.95em; } svg text { font: 11px system-ui, sans-serif; fill: #374151; }
            .clean { color: #047857; font-weight: 600; }
            </style>
            </head>
            <body>
            <h1>CDR analysis: \(e(fileName))</h1>

            """
        html += summary(dates)
        html += "<h2>Calls per hour of the day, by destination class</h2>\n"
        html += hourChart()
        html += "<h2>Top destinations</h2>\n"
        html += destinations()
        html += "<h2>Timeline of findings</h2>\n"
        html += timeline(dates)
        html += "<h2>Findings</h2>\n"
        html += findingsTable(dates)
        if !analysis.classOfServiceJudged { html += callPatterns() }
        if analysis.malformedCount > 0 {
            html += "<h2>Malformed rows (\(analysis.malformedCount))</h2>\n<table><tr><th class=\"n\">line</th><th>reason</th></tr>\n"
            for row in analysis.malformed.prefix(maxMalformedRows) {
                html += "<tr><td class=\"n\">\(row.line)</td><td>\(e(row.reason))</td></tr>\n"
            }
            html += "</table>\n"
            if analysis.malformedCount > maxMalformedRows {
                html += "<p class=\"muted\">and \(analysis.malformedCount - min(maxMalformedRows, analysis.malformed.count)) more.</p>\n"
            }
        }
        html += "<p class=\"muted\">Written by tollgate cdr analyze. Times are in \(e(analysis.timeZone)).</p>\n</body>\n</html>\n"
        return html
    }

    private func summary(_ dates: DateFormatter) -> String {
        let e = Self.escape
        var period = "no usable rows"
        if let first = analysis.firstStart, let last = analysis.lastEnd {
            period = "\(dates.string(from: first)) to \(dates.string(from: last))"
        }
        var html = "<table>\n"
        html += "<tr><th>format</th><td>\(e(analysis.format.rawValue))</td></tr>\n"
        html += "<tr><th>period</th><td>\(e(period)) (\(e(analysis.timeZone)))</td></tr>\n"
        html += "<tr><th>rows analysed</th><td>\(analysis.rows)</td></tr>\n"
        html += "<tr><th>malformed rows</th><td>\(analysis.malformedCount)</td></tr>\n"
        if analysis.inbound > 0 { html += "<tr><th>inbound rows (not analysed)</th><td>\(analysis.inbound)</td></tr>\n" }
        html += "<tr><th>answered calls</th><td>\(analysis.answered) (\(Self.number(analysis.minutes.rounded())) minutes)</td></tr>\n"
        let classes = analysis.classesSeen.map { "\(e($0)) \(analysis.callsByClass[$0] ?? 0)" }.joined(separator: ", ")
        html += "<tr><th>calls by class</th><td>\(classes.isEmpty ? "none" : classes)</td></tr>\n"
        let verdict = analysis.findings.isEmpty
            ? "<span class=\"clean\">no findings</span>"
            : "<span class=\"critical\">\(analysis.findings.count) finding\(analysis.findings.count == 1 ? "" : "s")</span>"
        html += "<tr><th>result</th><td>\(verdict)</td></tr>\n"
        if let headline = FraudFinding.headline(analysis.findings) { html += "<tr><th>first</th><td>\(e(headline))</td></tr>\n" }
        html += "</table>\n"
        return html
    }

    private func legend(_ classes: [String]) -> String {
        "<p class=\"legend\">" + classes.map {
            "<span><i class=\"swatch\" style=\"background:\(Self.colour($0))\"></i>\(Self.escape($0))</span>"
        }.joined() + "</p>\n"
    }

    private func hourChart() -> String {
        let classes = analysis.classesSeen
        guard !classes.isEmpty else { return "<p class=\"muted\">No calls.</p>\n" }
        let width = 960.0, height = 260.0, left = 48.0, bottom = 24.0, top = 10.0
        let plotHeight = height - bottom - top
        let slot = (width - left) / 24
        var totals = Array(repeating: 0, count: 24)
        for name in classes { for hour in 0..<24 { totals[hour] += analysis.callsByHour[name]?[hour] ?? 0 } }
        let peak = max(1, totals.max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"calls per hour of the day\">\n"
        for tick in [0, peak / 2, peak] {
            let y = top + plotHeight - plotHeight * Double(tick) / Double(peak)
            svg += "<line x1=\"\(left)\" x2=\"\(width)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#e5e7eb\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for hour in 0..<24 {
            var y = top + plotHeight
            let x = left + Double(hour) * slot + 2
            for name in classes {
                let count = analysis.callsByHour[name]?[hour] ?? 0
                guard count > 0 else { continue }
                let h = plotHeight * Double(count) / Double(peak)
                y -= h
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(slot - 4)\" height=\"\(h)\" fill=\"\(Self.colour(name))\">"
                svg += "<title>\(String(format: "%02d", hour)):00 \(Self.escape(name)): \(count)</title></rect>\n"
            }
            svg += "<text x=\"\(x + (slot - 4) / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">\(String(format: "%02d", hour))</text>\n"
        }
        svg += "</svg>\n"
        return svg + legend(classes)
    }

    private func destinations() -> String {
        let top = analysis.topDestinations
        guard !top.isEmpty else { return "<p class=\"muted\">No calls.</p>\n" }
        let peak = max(1, top.map(\.calls).max() ?? 1)
        var html = "<table><tr><th>destination</th><th>class</th><th class=\"n\">calls</th><th class=\"n\">minutes</th><th></th></tr>\n"
        for entry in top {
            let share = Double(entry.calls) / Double(peak) * 300
            html += "<tr><td><code>\(Self.escape(entry.destination))</code></td><td>\(Self.escape(entry.numberClass))</td>"
            html += "<td class=\"n\">\(entry.calls)</td><td class=\"n\">\(Self.number((entry.minutes * 10).rounded() / 10))</td>"
            html += "<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"304\" height=\"12\"><rect width=\"\(max(1, share))\" height=\"12\" fill=\"\(Self.colour(entry.numberClass))\"/></svg></td></tr>\n"
        }
        return html + "</table>\n"
    }

    private func timeline(_ dates: DateFormatter) -> String {
        // The most pressing findings, drawn in time order.
        let findings = FraudFinding.ranked(analysis.findings).prefix(maxTimelineRows).sorted { $0.windowStart < $1.windowStart }
        guard !findings.isEmpty else { return "<p class=\"clean\">No rule tripped.</p>\n" }
        var lower = findings.map(\.windowStart).min()!
        var upper = findings.map(\.windowEnd).max()!
        if let first = analysis.firstStart { lower = min(lower, first) }
        if let last = analysis.lastEnd { upper = max(upper, last) }
        let span = max(60, upper.timeIntervalSince(lower))
        let width = 960.0, left = 260.0, rowHeight = 20.0, top = 8.0
        let plotWidth = width - left - 10
        let height = top + Double(findings.count) * rowHeight + 30
        func x(_ date: Date) -> Double { left + plotWidth * date.timeIntervalSince(lower) / span }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"timeline of findings\">\n"
        for tick in 0...4 {
            let date = lower.addingTimeInterval(span * Double(tick) / 4)
            let position = x(date)
            svg += "<line x1=\"\(position)\" x2=\"\(position)\" y1=\"\(top)\" y2=\"\(height - 24)\" stroke=\"#e5e7eb\"/>"
            let anchor = tick == 0 ? "start" : tick == 4 ? "end" : "middle"
            svg += "<text x=\"\(position)\" y=\"\(height - 8)\" text-anchor=\"\(anchor)\">\(Self.escape(dates.string(from: date)))</text>\n"
        }
        for (index, finding) in findings.enumerated() {
            let y = top + Double(index) * rowHeight
            let label = "\(finding.rule.rawValue) · \(finding.account)"
            let shown = label.count > 38 ? String(label.prefix(37)) + "…" : label
            svg += "<text x=\"0\" y=\"\(y + 14)\">\(Self.escape(shown))</text>"
            let start = x(finding.windowStart)
            let barWidth = max(3, x(finding.windowEnd) - start)
            let colour = finding.severity == .critical ? "#dc2626" : "#f59e0b"
            svg += "<rect x=\"\(start)\" y=\"\(y + 3)\" width=\"\(barWidth)\" height=\"\(rowHeight - 6)\" rx=\"2\" fill=\"\(colour)\">"
            svg += "<title>\(Self.escape("\(label): \(finding.severity.rawValue), \(dates.string(from: finding.windowStart)) to \(dates.string(from: finding.windowEnd))"))</title></rect>\n"
        }
        svg += "</svg>\n"
        if analysis.findings.count > findings.count {
            svg += "<p class=\"muted\">The \(findings.count) most pressing of \(analysis.findings.count) findings are drawn.</p>\n"
        }
        return svg + "<p class=\"legend\"><span><i class=\"swatch\" style=\"background:#f59e0b\"></i>warning</span><span><i class=\"swatch\" style=\"background:#dc2626\"></i>critical</span></p>\n"
    }

    /// How many accounts the "who calls where" table lists.
    static let maxPatternRows = 100

    /// With no class of service written: who calls where, and the policy that would allow it.
    private func callPatterns() -> String {
        let e = Self.escape
        var html = "<h2>Who calls where</h2>\n<p>No classes of service are configured, so calls were not judged by destination. "
            + "The accounts that called beyond the national network come first.</p>\n"
        html += "<table><tr><th>account</th><th class=\"n\">calls</th><th>by class</th><th>countries</th></tr>\n"
        let ordered = AccountCallPattern.ordered(analysis.callPatterns)
        for pattern in ordered.prefix(Self.maxPatternRows) {
            let classes = pattern.classSummary.map(e)
            let countries = pattern.countrySummary.map(e)
            html += "<tr><td><code>\(e(pattern.account))</code></td><td class=\"n\">\(pattern.calls)</td>"
                + "<td>\(classes.joined(separator: ", "))</td><td>\(countries.isEmpty ? "-" : countries.joined(separator: ", "))</td></tr>\n"
        }
        html += "</table>\n"
        if ordered.count > Self.maxPatternRows { html += "<p class=\"muted\">\(ordered.count - Self.maxPatternRows) more accounts.</p>\n" }
        html += "<h3>Proposed policy that allows these calls (review it, then add it to tollgate.yaml)</h3>\n"
        html += "<pre>\(e(ServiceClassProposal(patterns: analysis.callPatterns).yaml))</pre>\n"
        return html
    }

    private func findingsTable(_ dates: DateFormatter) -> String {
        guard !analysis.findings.isEmpty else { return "<p class=\"clean\">No findings.</p>\n" }
        let e = Self.escape
        var html = "<table><tr><th>rule</th><th>account</th><th>severity</th><th>window</th><th class=\"n\">value / limit</th><th>numbers</th><th>lines</th></tr>\n"
        for finding in FraudFinding.ranked(analysis.findings) {
            var numbers = finding.numbers.prefix(5).map { "<code>\(e($0))</code>" }.joined(separator: ", ")
            if finding.numberCount > 5 { numbers += " and \(finding.numberCount - 5) more" }
            var lines = finding.lines.prefix(10).map(String.init).joined(separator: ", ")
            if finding.lineCount > 10 { lines += " … (\(finding.lineCount))" }
            html += "<tr><td>\(e(finding.rule.rawValue))</td><td><code>\(e(finding.account))</code></td>"
            html += "<td class=\"\(finding.severity.rawValue)\">\(finding.severity.rawValue)</td>"
            html += "<td>\(e(dates.string(from: finding.windowStart))) – \(e(dates.string(from: finding.windowEnd)))</td>"
            let level = finding.rule.hasLevel ? "\(Self.number(finding.value)) / \(Self.number(finding.limit))" : "-"
            html += "<td class=\"n\">\(level)</td><td>\(numbers)</td><td>\(lines)</td></tr>\n"
            html += "<tr><td></td><td colspan=\"6\" class=\"muted\">\(e(finding.detail))</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
