/// A CDR row that could not be used: where it is and why. Malformed rows are counted, reported
/// and skipped; the rest of the file is still analysed.
public struct CDRMalformedRow: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The line the row starts on (1-based).
    public var line: Int
    /// Why it was skipped (`expected 16 to 18 columns, found 3`, `unparseable start time "…"`).
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
