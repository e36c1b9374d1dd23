import Foundation
import TollgateModel

/// Where console sessions are kept, so that they survive a restart (and, on PostgreSQL, every node
/// shares them). Sessions are found by the SHA-256 of their ID.
public protocol SessionStore: Sendable {
    /// Writes a session, replacing the one with the same ID hash.
    func saveSession(_ session: ConsoleSession) async throws(StoreError)
    func session(idHash: String) async throws(StoreError) -> ConsoleSession?
    /// Marks a session as used now (for the idle timeout).
    func touchSession(idHash: String, at time: Date) async throws(StoreError)
    /// A user's sessions, newest first.
    func sessions(user: String) async throws(StoreError) -> [ConsoleSession]
    /// Ends one session; returns whether there was one.
    @discardableResult
    func removeSession(idHash: String) async throws(StoreError) -> Bool
    /// Ends every session of a user (a password reset, a removed user); returns how many.
    @discardableResult
    func removeSessions(user: String) async throws(StoreError) -> Int
    /// Forgets sessions last used before `idleBefore` or created before `createdBefore`; returns how many.
    @discardableResult
    func removeSessions(idleBefore: Date, createdBefore: Date) async throws(StoreError) -> Int
}

/// Where the REST API's bearer tokens are kept, by the SHA-256 of the token.
public protocol APITokenStore: Sendable {
    func saveToken(_ token: APIToken) async throws(StoreError)
    func token(hash: String) async throws(StoreError) -> APIToken?
    /// Every token, or a user's, by creation time.
    func tokens(user: String?) async throws(StoreError) -> [APIToken]
    /// Revokes a token by its public ID; returns whether there was one.
    @discardableResult
    func removeToken(id: String) async throws(StoreError) -> Bool
    /// Records a use of the token.
    func touchToken(id: String, at time: Date) async throws(StoreError)
}
