/// One problem found in a Tollgate configuration, with where it is.
///
/// `path` names the offending value in the YAML's own spelling (`trunks[1].endpoint`,
/// `routes[0].trunks[2]`); `line` and `column` are 1-based positions in the YAML text when the
/// problem came from a file. Errors raised by ``TollgateConfig/validate()`` on a configuration built
/// in code carry a path but no position.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words meant for the person editing the file.
    public var message: String
    /// Where in the configuration tree the problem is, e.g. `trunks[1].endpoint`; `nil` for the whole document.
    public var path: String?
    /// The 1-based line in the YAML text, where known.
    public var line: Int?
    /// The 1-based column in the YAML text, where known.
    public var column: Int?
    /// The file (or other source name) the YAML came from, where known.
    public var source: String?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - message: What is wrong.
    ///   - path: The configuration path of the offending value.
    ///   - line: The 1-based line in the YAML text.
    ///   - column: The 1-based column in the YAML text.
    ///   - source: The file or source name.
    public init(_ message: String, path: String? = nil, line: Int? = nil, column: Int? = nil, source: String? = nil) {
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.source = source
    }

    /// `tollgate.yaml:12:5: trunks[1].endpoint: port must be 1-65535`; parts that are unknown are left out.
    public var description: String {
        var text = ""
        var location: [String] = []
        if let source { location.append(source) }
        if let line {
            location.append(String(line))
            if let column { location.append(String(column)) }
        }
        if !location.isEmpty { text += location.joined(separator: ":") + ": " }
        if let path, !path.isEmpty { text += path + ": " }
        return text + message
    }
}
