import HTTPTypes
import TollgateModel

/// Who may use a route. Every route of the console is registered with one, and
/// ``check(caller:)`` is the one place it is enforced.
public enum RouteAccess: Sendable, Hashable, CustomStringConvertible {
    /// Anyone who may connect at all: the sign-in and enrolment pages, the style sheet.
    case anyone
    /// Only a session between password and TOTP code: the page that asks for the code.
    case awaitingSecondFactor
    /// A signed-in user or token with at least this role.
    case role(ConsoleUser.Role)

    /// Throws the answer a caller gets when not allowed: 401 when not signed in, 403 when the role
    /// is too low.
    public func check(caller: ConsoleCaller?) throws(ConsoleError) {
        switch self {
        case .anyone:
            return
        case .awaitingSecondFactor:
            guard let session = caller?.session, session.stage == .secondFactor else { throw .signInRequired }
        case .role(let needed):
            guard let caller, caller.isSignedIn else { throw .signInRequired }
            guard caller.role >= needed else { throw .forbidden(needed.rawValue) }
        }
    }

    public var description: String {
        switch self {
        case .anyone: "anyone"
        case .awaitingSecondFactor: "second-factor"
        case .role(let role): role.rawValue
        }
    }
}

/// A registered route: what the role test walks through.
public struct ConsoleRoute: Sendable, Hashable {
    /// Whether a route answers people (HTML) or scripts (JSON).
    public enum Kind: Sendable, Hashable {
        case page
        case api
        /// Plain text or a file (`/metrics`, the style sheet).
        case resource
    }

    public var method: HTTPRequest.Method
    /// The path as registered, with `:name` parameters.
    public var path: String
    public var access: RouteAccess
    public var kind: Kind
    /// A change of routing or rules: the password is asked for again.
    public var needsPassword: Bool

    /// Whether the method may change state (and so needs the CSRF checks).
    public var changesState: Bool { ![.get, .head, .options].contains(method) }
}
