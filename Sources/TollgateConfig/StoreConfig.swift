/// Where events, bans, CDRs and users are kept.
public struct StoreConfig: Sendable, Hashable, Codable {
    /// The SQLite database file, used unless ``url`` is set; with ``url``, where the gateway keeps
    /// its local CDR journal (`PATH-cdr-journal.N`) and status file.
    public var path: String = "tollgate.db"
    /// A PostgreSQL URL (`postgres://…` or `postgresql://…`) for a store shared by several nodes.
    public var url: String?

    /// Creates a store configuration.
    ///
    /// - Parameters:
    ///   - path: The SQLite database file.
    ///   - url: A PostgreSQL URL, which takes precedence over `path`.
    public init(path: String = "tollgate.db", url: String? = nil) {
        self.path = path
        self.url = url
    }
}
