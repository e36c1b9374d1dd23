/// Every problem found in one configuration source; thrown by parsing, loading and validation.
///
/// A configuration with problems is never partially used: the gateway prints ``description`` (one
/// problem per line, in file order) and refuses to start.
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or other source name) that was checked, e.g. `tollgate.yaml` or `<config>`.
    public var source: String
    /// The problems, in the order of their position in the file (problems without a position last).
    public var errors: [ConfigError]

    /// Creates a list of problems found in `source`.
    ///
    /// - Parameters:
    ///   - source: The file or source name; errors without a source of their own are shown with it.
    ///   - errors: The problems.
    public init(source: String, errors: [ConfigError]) {
        self.source = source
        self.errors = errors
    }

    /// One problem per line, each as `source:line:column: path: message`.
    public var description: String {
        errors.map { error in
            var error = error
            if error.source == nil { error.source = source }
            return error.description
        }.joined(separator: "\n")
    }

    /// Puts the errors in file order: by line, then column; errors without a position keep their
    /// relative order after all positioned ones.
    mutating func sortByPosition() {
        errors = errors.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.line ?? Int.max, lhs.element.column ?? 0, lhs.offset)
            let right = (rhs.element.line ?? Int.max, rhs.element.column ?? 0, rhs.offset)
            return left < right
        }.map(\.element)
    }
}
