import Foundation
import TollgateModel

/// Where the fraud control's account state is kept: suspensions (in force and lifted), the last
/// counters of each account, and operators' requests to zero them.
public protocol AccountStore: Sendable {
    /// Writes an account's suspension, in force, replacing its previous record (active or lifted),
    /// and bumps ``accountsRevision()``.
    func saveSuspension(_ suspension: AccountSuspension) async throws(StoreError)
    /// The suspensions in force, the oldest first.
    func activeSuspensions() async throws(StoreError) -> [AccountSuspension]
    /// The suspension of an account, if one is in force.
    func suspension(account: String) async throws(StoreError) -> AccountSuspension?
    /// The stored suspension of an account, in force or lifted.
    func suspensionRecord(account: String) async throws(StoreError) -> SuspensionRecord?
    /// Lifts the suspension of an account (the record stays, as history) and bumps
    /// ``accountsRevision()``; returns whether one was in force.
    func liftSuspension(account: String, at date: Date) async throws(StoreError) -> Bool

    /// Writes accounts' counters in one transaction, replacing each account's previous snapshot.
    func saveAccountSnapshots(_ snapshots: [AccountSnapshot]) async throws(StoreError)
    /// The last snapshot stored for an account.
    func accountSnapshot(account: String) async throws(StoreError) -> AccountSnapshot?
    /// The last snapshot of every account, by account.
    func accountSnapshots() async throws(StoreError) -> [AccountSnapshot]

    /// Records an operator's request that the running gateway zero an account's counters, replacing an
    /// earlier request for the same account, and bumps ``accountsRevision()``.
    func requestCounterReset(account: String, at date: Date) async throws(StoreError)
    /// The latest counter-reset request of each account that has one.
    func counterResets() async throws(StoreError) -> [String: Date]

    /// Records an operator's allowance: calls from `account` to `destination` (a country calling code
    /// as `+371`, or a destination class such as `premium`) are no longer new to it, so a held first
    /// call there goes through next time; bumps ``accountsRevision()``. Allowing again changes nothing.
    func saveAllowance(account: String, destination: String, at date: Date) async throws(StoreError)
    /// Withdraws an allowance and bumps ``accountsRevision()``; returns whether there was one.
    func removeAllowance(account: String, destination: String) async throws(StoreError) -> Bool
    /// Every allowance, in the order they were given.
    func allowances() async throws(StoreError) -> [(account: String, destination: String)]

    /// A number that changes whenever a suspension is saved or lifted, a counter reset is requested
    /// or an allowance given, by this process or another.
    func accountsRevision() async throws(StoreError) -> Int64
}
