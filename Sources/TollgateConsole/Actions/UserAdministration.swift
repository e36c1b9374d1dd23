import Foundation
import TollgateModel
import TollgateStore

/// Adding, resetting and removing console users and their API tokens, each written to the audit
/// log: the one implementation behind `tollgate user …`, `tollgate token …` and the console's
/// users page.
public struct UserAdministration: Sendable {
    /// Why a change was refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidName(String)
        case taken(String)
        case noSuchUser(String)
        case lastAdmin(String)
        case roleAboveUser(token: ConsoleUser.Role, user: ConsoleUser.Role)
        case noSuchToken(String)
        case store(String)

        public var description: String {
            switch self {
            case .invalidName(let name): "'\(name.prefix(40))' is not a user name: 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter"
            case .taken(let name): "there is already a user \(name)"
            case .noSuchUser(let name): "there is no user \(name.prefix(40))"
            case .lastAdmin(let name): "\(name) is the last enrolled admin; add another admin first"
            case .roleAboveUser(let token, let user): "a token's role (\(token.rawValue)) cannot be above its user's (\(user.rawValue))"
            case .noSuchToken(let id): "there is no token \(id.prefix(40))"
            case .store(let reason): "the store refused the change: \(reason)"
            }
        }
    }

    public let store: any Store
    /// Who makes the change (`cli:root`, a console user) and from where (`local`, an address).
    public let actor: String
    public let source: String
    public let now: Date

    public init(store: any Store, actor: String, source: String, now: Date = Date()) {
        self.store = store
        self.actor = actor
        self.source = source
        self.now = now
    }

    /// Adds a user with a pending enrolment; the token is the link's, shown once.
    public func add(name: String, role: ConsoleUser.Role) async throws(Refusal) -> (ConsoleUser, EnrolmentToken) {
        guard EnrolmentToken.isValidUserName(name) else { throw .invalidName(name) }
        return try await storing {
            guard try await store.user(named: name) == nil else { throw Refusal.taken(name) }
            let token = EnrolmentToken()
            let user = ConsoleUser(name: name, role: role, enrolmentTokenHash: token.hash, enrolmentExpires: now.addingTimeInterval(EnrolmentToken.lifetime),
                                   created: now)
            try await store.saveUser(user)
            try await audit("user.add", target: name, before: nil, after: "role \(role.rawValue), enrolment pending")
            return (user, token)
        }
    }

    /// Takes the user's password and TOTP away, ends their sessions, and gives a new enrolment link.
    public func reset(name: String) async throws(Refusal) -> (ConsoleUser, EnrolmentToken) {
        try await storing {
            guard var user = try await store.user(named: name) else { throw Refusal.noSuchUser(name) }
            let token = EnrolmentToken()
            user.passwordHash = nil
            user.totpSecret = nil
            user.totpLastStep = nil
            user.enrolmentTokenHash = token.hash
            user.enrolmentExpires = now.addingTimeInterval(EnrolmentToken.lifetime)
            try await store.saveUser(user)
            try await store.removeSessions(user: name)
            try await audit("user.reset", target: name, before: nil, after: "password and TOTP removed, sessions ended, enrolment pending")
            return (user, token)
        }
    }

    /// Removes a user (not the last enrolled admin) with their sessions and tokens.
    public func remove(name: String) async throws(Refusal) -> ConsoleUser {
        try await storing {
            let users = try await store.users()
            guard let user = users.first(where: { $0.name == name }) else { throw Refusal.noSuchUser(name) }
            if user.role == .admin, user.isEnrolled, users.filter({ $0.role == .admin && $0.isEnrolled }).count <= 1 { throw Refusal.lastAdmin(name) }
            _ = try await store.removeUser(named: name)
            try await store.removeSessions(user: name)
            for token in try await store.tokens(user: name) { _ = try await store.removeToken(id: token.id) }
            try await audit("user.remove", target: name, before: "role \(user.role.rawValue)", after: nil)
            return user
        }
    }

    /// Makes an API token for `user` with `role` (their own when `nil`, never above it), valid for
    /// `lifetime`; returns it with the token text, shown once (only its SHA-256 is kept).
    public func createToken(user name: String, role: ConsoleUser.Role?, lifetime: TimeInterval) async throws(Refusal) -> (APIToken, String) {
        try await storing {
            guard let user = try await store.user(named: name) else { throw Refusal.noSuchUser(name) }
            let role = role ?? user.role
            guard role <= user.role else { throw Refusal.roleAboveUser(token: role, user: user.role) }
            let text = "tg_" + SecretToken.make()
            let token = APIToken(id: "tk_" + SecretToken.make(byteCount: 6), user: name, role: role, tokenHash: SecretToken.hash(text), created: now,
                                 expires: now.addingTimeInterval(lifetime))
            try await store.saveToken(token)
            try await audit("token.create", target: name, before: nil, after: "\(token.id), role \(role.rawValue), until \(ISO8601DateFormatter().string(from: token.expires))")
            return (token, text)
        }
    }

    /// Revokes a token by its ID.
    public func revokeToken(id: String) async throws(Refusal) -> APIToken {
        try await storing {
            guard let token = try await store.tokens(user: nil).first(where: { $0.id == id }) else { throw Refusal.noSuchToken(id) }
            _ = try await store.removeToken(id: id)
            try await audit("token.revoke", target: token.user, before: token.id, after: "revoked")
            return token
        }
    }

    private func audit(_ action: String, target: String, before: String?, after: String?) async throws(StoreError) {
        try await store.appendAuditEntry(actor: actor, source: source, action: action, target: target, before: before, after: after, at: now)
    }

    /// Runs `body`, turning a store's error into ``Refusal/store(_:)``.
    private func storing<T>(_ body: () async throws -> T) async throws(Refusal) -> T {
        do {
            return try await body()
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw .store("\(error)")
        }
    }
}
