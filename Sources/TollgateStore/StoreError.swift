/// Why a store operation failed.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database could not be opened or created at the path.
    case cannotOpen(path: String, reason: String)
    /// A migration failed; the database is left as it was.
    case migrationFailed(String)
    /// The database was written by a newer Tollgate (it has migrations this one does not know).
    case newerSchema(known: [String], found: [String])
    /// A read or write failed.
    case databaseError(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the store at \(path): \(reason)"
        case .migrationFailed(let reason): "store migration failed: \(reason)"
        case .newerSchema(let known, let found):
            "the store was written by a newer Tollgate (migrations \(found.filter { !known.contains($0) }.joined(separator: ", ")) are unknown here)"
        case .databaseError(let reason): "store error: \(reason)"
        }
    }
}
