import TollgateModel

/// Who a request comes from, once its session cookie or bearer token has been checked.
public struct ConsoleCaller: Sendable {
    /// How the caller proved who they are.
    public enum Credential: Sendable {
        /// A browser session (its cookie); state-changing requests must carry its CSRF token.
        case session(ConsoleSession)
        /// A bearer token from `tollgate token create`: no cookie, so no CSRF to guard against.
        case token(APIToken)
    }

    public var user: String
    /// The role requests are judged by: the user's, or the token's when lower.
    public var role: ConsoleUser.Role
    public var credential: Credential

    /// Whether the caller has finished signing in (a session waiting for its TOTP code has not).
    public var isSignedIn: Bool {
        switch credential {
        case .session(let session): session.stage == .signedIn
        case .token: true
        }
    }

    /// The session, when the caller has one.
    public var session: ConsoleSession? {
        if case .session(let session) = credential { return session }
        return nil
    }

    /// What the audit log names as the actor: the user, and the token when one was used.
    public var actor: String {
        if case .token(let token) = credential { return "\(user) (token \(token.id))" }
        return user
    }
}
