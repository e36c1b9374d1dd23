/// Why a CDR file could not be analysed at all (as opposed to one malformed row, which is
/// reported and skipped: ``CDRMalformedRow``).
public enum CDRFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading failed part way.
    case readFailed(reason: String)
    /// The time zone named for the file's local times is not known.
    case unknownTimeZone(String)
    /// Most rows could not be read in the layout asked for: the file is another layout (or not CDRs),
    /// and analysing the few rows that did parse would report "no findings" about a file it never read.
    case unreadableLayout(format: CDRFormat, unreadable: Int, readable: Int, first: [CDRMalformedRow])

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason)"
        case .readFailed(let reason): "cannot read the file: \(reason)"
        case .unknownTimeZone(let name): "unknown time zone \"\(name)\" (use an IANA name such as Europe/London, or UTC)"
        case .unreadableLayout(let format, let unreadable, let readable, let first):
            "this file is not in the \(format.rawValue) layout: \(unreadable) of \(unreadable + readable) rows could not be read. "
                + "Each row of that layout has \(format.columns.lowerBound == format.columns.upperBound ? "\(format.columns.lowerBound)" : "\(format.columns.lowerBound) to \(format.columns.upperBound)") columns: \(format.layout). "
                + "First rows that could not be read: " + first.prefix(3).map(\.description).joined(separator: "; ")
                + " (is --format right? asterisk, freeswitch or tollgate)"
        }
    }
}
