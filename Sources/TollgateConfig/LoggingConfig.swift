/// Log verbosity and output format.
public struct LoggingConfig: Sendable, Hashable, Codable {
    /// The accepted values of ``level``, from most to least verbose.
    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    /// The accepted values of ``format``.
    public static let formats = ["text", "json"]

    /// The minimum level logged: `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var level: String = "info"
    /// `text` (one human-readable line per entry) or `json` (one JSON object per line).
    public var format: String = "text"

    /// Creates a logging configuration.
    ///
    /// - Parameters:
    ///   - level: The minimum level logged.
    ///   - format: `text` or `json`.
    public init(level: String = "info", format: String = "text") {
        self.level = level
        self.format = format
    }
}
