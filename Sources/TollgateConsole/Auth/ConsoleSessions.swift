import Foundation
import TollgateModel
import TollgateStore

/// Console sessions: made at each sign-in step with a new ID (the previous one ends), found by the
/// cookie's value, and ended by the idle timeout, the absolute lifetime, logout, or the user.
///
/// The ID is 32 random bytes; the store keeps its SHA-256. A session waiting for its TOTP code
/// grants nothing but that page and lasts five minutes.
public struct ConsoleSessions: Sendable {
    public let store: any SessionStore
    public let idleTimeout: TimeInterval
    public let lifetime: TimeInterval
    /// How long the step between password and TOTP code may take.
    public static let secondFactorTimeout: TimeInterval = 5 * 60
    /// `lastSeen` is written at most this often for one session (not at every request).
    public static let touchInterval: TimeInterval = 60

    public init(store: any SessionStore, idleTimeout: TimeInterval, lifetime: TimeInterval) {
        self.store = store
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
    }

    /// Starts a session at `stage`, ending `previous` (the ID the browser held before), and
    /// returns the new ID for the cookie with the session.
    public func begin(user: String, stage: ConsoleSession.Stage, source: String, userAgent: String, replacing previous: String?,
                      at now: Date) async throws(StoreError) -> (id: String, session: ConsoleSession) {
        if let previous { try await store.removeSession(idHash: SecretToken.hash(previous)) }
        let id = SecretToken.make()
        let session = ConsoleSession(idHash: SecretToken.hash(id), user: user, stage: stage, csrfToken: SecretToken.make(), created: now,
                                     lastSeen: now, source: source, userAgent: String(userAgent.prefix(200)))
        try await store.saveSession(session)
        return (id, session)
    }

    /// The live session for a cookie value; an expired one is removed and `nil` returned.
    public func resolve(_ id: String, at now: Date) async throws(StoreError) -> ConsoleSession? {
        guard !id.isEmpty, id.count <= 64 else { return nil }
        let idHash = SecretToken.hash(id)
        guard let session = try await store.session(idHash: idHash) else { return nil }
        guard !isExpired(session, at: now) else {
            try await store.removeSession(idHash: idHash)
            return nil
        }
        if now.timeIntervalSince(session.lastSeen) >= Self.touchInterval { try await store.touchSession(idHash: idHash, at: now) }
        return session
    }

    /// Whether the session has ended by time: idle, past its lifetime, or a TOTP step left too long.
    public func isExpired(_ session: ConsoleSession, at now: Date) -> Bool {
        switch session.stage {
        case .secondFactor: now.timeIntervalSince(session.created) >= Self.secondFactorTimeout
        case .signedIn: now.timeIntervalSince(session.lastSeen) >= idleTimeout || now.timeIntervalSince(session.created) >= lifetime
        }
    }

    /// Ends the session with this cookie value.
    public func end(_ id: String) async throws(StoreError) {
        try await store.removeSession(idHash: SecretToken.hash(id))
    }

    /// Removes every session that has ended by time.
    public func sweep(at now: Date) async throws(StoreError) -> Int {
        try await store.removeSessions(idleBefore: now.addingTimeInterval(-idleTimeout), createdBefore: now.addingTimeInterval(-lifetime))
    }
}
