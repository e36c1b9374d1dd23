import Foundation
import TollgateModel

/// Where console users are kept (and, on PostgreSQL, shared by every node).
public protocol UserStore: Sendable {
    /// Writes a user, replacing the one with the same name.
    func saveUser(_ user: ConsoleUser) async throws(StoreError)
    func user(named name: String) async throws(StoreError) -> ConsoleUser?
    /// Every user, by name.
    func users() async throws(StoreError) -> [ConsoleUser]
    /// Removes a user; returns whether there was one.
    func removeUser(named name: String) async throws(StoreError) -> Bool
    /// Records that the user's TOTP code for `step` was accepted, only if no code of that step or
    /// a later one was accepted before: one atomic statement, so a code is accepted once even when
    /// two requests (or two nodes) race. Returns whether this use won.
    func claimTOTPStep(user name: String, step: Int64) async throws(StoreError) -> Bool
}
