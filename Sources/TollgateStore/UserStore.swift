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
}
