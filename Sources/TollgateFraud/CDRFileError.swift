/// Why a CDR file could not be analysed at all (as opposed to one malformed row, which is
/// reported and skipped: ``CDRMalformedRow``).
public enum CDRFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading failed part way.
    case readFailed(reason: String)
    /// The time zone named for the file's local times is not known.
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason)"
        case .readFailed(let reason): "cannot read the file: \(reason)"
        case .unknownTimeZone(let name): "unknown time zone \"\(name)\" (use an IANA name such as Europe/London, or UTC)"
        }
    }
}
