import Foundation
import TollgateConfig

/// What an audit says about one thing it checked: how bad, why, and how to fix it.
public struct AuditFinding: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case info, low, medium, high, critical

        var rank: Int {
            switch self {
            case .info: 0
            case .low: 1
            case .medium: 2
            case .high: 3
            case .critical: 4
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable name: `end-of-life`, `support-ending`, `known-vulnerable`, `outdated-softphone`, …
    public var check: String
    public var severity: Severity
    /// What it is about: a device (`127.0.0.30/201`), a file and line (`pjsip.conf:12`), a host.
    public var subject: String
    public var why: String
    public var fix: String
    /// Where the fact comes from.
    public var source: String?

    public init(check: String, severity: Severity, subject: String, why: String, fix: String, source: String? = nil) {
        self.check = check
        self.severity = severity
        self.subject = subject
        self.why = why
        self.fix = fix
        self.source = source
    }
}

/// The lifecycle table Tollgate ships (`lifecycle.txt`): end-of-life and security-support dates and
/// known vulnerabilities by product and version range, each row with its source.
public struct LifecycleTable: Sendable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case eol
        case securityOnly = "security-only"
        case vulnerable
        case outdated
    }

    public struct Row: Sendable, Hashable {
        public var product: String
        public var versions: VersionRange
        public var kind: Kind
        public var date: Date?
        public var detail: String
        public var source: String
    }

    public private(set) var rows: [Row]

    /// How far ahead an end of life is announced as `support-ending`.
    public static let warningWindow: TimeInterval = 90 * 86_400

    public static let shippedFile = ShippedDataFile(name: "lifecycle.txt", target: "TollgateAudit", environmentOverride: "TOLLGATE_LIFECYCLE")

    public static func shipped() throws(DeviceFingerprints.FormatError) -> LifecycleTable {
        switch shippedFile.locate().flatMap({ ShippedDataFile.read($0, kind: "lifecycle table") }) {
        case .success(let text): return try LifecycleTable(text: text, origin: shippedFile.name)
        case .failure(let error): throw DeviceFingerprints.FormatError(origin: error.origin, line: 0, message: error.message)
        }
    }

    public init(text: String, origin: String = "lifecycle") throws(DeviceFingerprints.FormatError) {
        let dates = DateFormatter()
        dates.locale = Locale(identifier: "en_US_POSIX")
        dates.timeZone = TimeZone(identifier: "UTC")
        dates.dateFormat = "yyyy-MM-dd"
        var rows: [Row] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            // No column holds a "|", and the date may be empty.
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func fail(_ message: String) -> DeviceFingerprints.FormatError {
                DeviceFingerprints.FormatError(origin: origin, line: offset + 1, message: message)
            }
            guard fields.count == 6 else { throw fail("expected 6 columns separated by \"|\", found \(fields.count)") }
            guard !fields[0].isEmpty else { throw fail("a product is needed") }
            guard let versions = VersionRange(fields[1]) else { throw fail("not a version range: \(fields[1])") }
            guard let kind = Kind(rawValue: fields[2]) else { throw fail("unknown kind \(fields[2])") }
            var date: Date?
            if !fields[3].isEmpty {
                guard let parsed = dates.date(from: fields[3]) else { throw fail("not a date (YYYY-MM-DD): \(fields[3])") }
                date = parsed
            }
            if kind == .securityOnly, date == nil { throw fail("security-only needs a date") }
            rows.append(Row(product: fields[0], versions: versions, kind: kind, date: date, detail: fields[4], source: fields[5]))
        }
        self.rows = rows
    }

    /// What the table says about `product` at `version` on `date`: end of life (critical), support
    /// ending within 90 days (medium), security fixes only (info), known vulnerabilities (critical
    /// for remote code execution or SQL injection, high otherwise), an outdated softphone (medium).
    public func findings(product: String, version: String?, subject: String, at date: Date) -> [AuditFinding] {
        let parsed = version.flatMap(SoftwareVersion.init)
        var findings: [AuditFinding] = []
        let shown = version.map { "\(product) \($0)" } ?? product
        for row in rows where row.product.caseInsensitiveCompare(product) == .orderedSame && row.versions.contains(parsed) {
            switch row.kind {
            case .eol:
                if let end = row.date, end > date {
                    if end.timeIntervalSince(date) <= Self.warningWindow {
                        findings.append(AuditFinding(check: "support-ending", severity: .medium, subject: subject,
                                                     why: "\(shown): end of life on \(Self.day(end)); \(row.detail)",
                                                     fix: "plan the update or replacement before \(Self.day(end))", source: row.source))
                    }
                } else {
                    let since = row.date.map { " since \(Self.day($0))" } ?? ""
                    findings.append(AuditFinding(check: "end-of-life", severity: .critical, subject: subject,
                                                 why: "\(shown) is past its end of life\(since): \(row.detail)",
                                                 fix: "update to a supported release, or replace the device", source: row.source))
                }
            case .securityOnly:
                if let from = row.date, from <= date {
                    findings.append(AuditFinding(check: "security-fixes-only", severity: .info, subject: subject,
                                                 why: "\(shown): \(row.detail) since \(Self.day(from))",
                                                 fix: "plan the move to the next long-term release", source: row.source))
                }
            case .vulnerable:
                let severe = ["RCE", "remote code execution", "SQL injection", "run commands", "default password", "trojan"]
                    .contains { row.detail.localizedCaseInsensitiveContains($0) }
                findings.append(AuditFinding(check: "known-vulnerable", severity: severe ? .critical : .high, subject: subject,
                                             why: "\(shown): \(row.detail)", fix: "update to a fixed release", source: row.source))
            case .outdated:
                findings.append(AuditFinding(check: "outdated-softphone", severity: .medium, subject: subject,
                                             why: "\(shown): \(row.detail)", fix: "update the softphone", source: row.source))
            }
        }
        return findings
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
