import Foundation

/// A bearer token a script uses against the console's REST API. It acts as its user, with a role
/// no higher than the user's; the token itself is shown once and only its SHA-256 is kept.
public struct APIToken: Sendable, Hashable, Codable {
    /// A short public name for the token (shown in lists, used to revoke it).
    public var id: String
    public var user: String
    public var role: ConsoleUser.Role
    /// SHA-256 (hex) of the token.
    public var tokenHash: String
    public var created: Date
    public var expires: Date
    /// The last request made with it, if any.
    public var lastUsed: Date?

    public init(id: String, user: String, role: ConsoleUser.Role, tokenHash: String, created: Date, expires: Date, lastUsed: Date? = nil) {
        self.id = id
        self.user = user
        self.role = role
        self.tokenHash = tokenHash
        self.created = created
        self.expires = expires
        self.lastUsed = lastUsed
    }
}
