import Foundation

/// A signed-in console session, as the store keeps it. The session ID the browser holds is never
/// stored: only its SHA-256, so reading the store gives no one a live session.
public struct ConsoleSession: Sendable, Hashable, Codable {
    /// How far the sign-in has gone.
    public enum Stage: String, Sendable, Hashable, Codable {
        /// The password was right and the user must still give a TOTP code; the session grants
        /// nothing but the page that asks for it, and expires within minutes.
        case secondFactor = "second-factor"
        /// Signed in.
        case signedIn = "signed-in"
    }

    /// SHA-256 (hex) of the session ID.
    public var idHash: String
    public var user: String
    public var stage: Stage
    /// The token every state-changing request of this session must carry (CSRF).
    public var csrfToken: String
    public var created: Date
    /// The last request made with it, for the idle timeout.
    public var lastSeen: Date
    /// Where it was signed in from, and with what browser; shown to the user in their session list.
    public var source: String
    public var userAgent: String

    public init(idHash: String, user: String, stage: Stage, csrfToken: String, created: Date, lastSeen: Date, source: String, userAgent: String) {
        self.idHash = idHash
        self.user = user
        self.stage = stage
        self.csrfToken = csrfToken
        self.created = created
        self.lastSeen = lastSeen
        self.source = source
        self.userAgent = userAgent
    }
}
