import Foundation
import TollgateModel

/// What several gateways sharing one store need of it beyond the records: each node's
/// registration and heartbeat, and call counters that hold across nodes.
///
/// A call's admission against the shared limits is atomic: however many nodes admit calls of one
/// account at once, a limit is never exceeded (the N+1th call is refused). Each admitted call is
/// held by the node that admitted it until released, or until that node's heartbeat lapses.
public protocol ClusterStore: Sendable {
    /// Registers `node` (replacing an earlier registration of the same name) with its heartbeat.
    func registerNode(_ node: ClusterNode) async throws(StoreError)
    /// Records a heartbeat; `false` when the node is not registered (removed meanwhile).
    func heartbeat(node name: String, at date: Date) async throws(StoreError) -> Bool
    /// Every registered node, with the calls each holds, by name.
    func nodes() async throws(StoreError) -> [ClusterNode]
    /// Removes a node's registration and releases the calls it held; whether it was registered.
    func removeNode(named name: String) async throws(StoreError) -> Bool

    /// Admits a call against the shared limits of its account and of all accounts together, and
    /// counts it, atomically; or refuses it, counting nothing.
    func admitCall(_ admission: SharedCallAdmission) async throws(StoreError) -> SharedCallVerdict
    /// Releases an admitted call (it no longer counts as in progress); whether it was held.
    func releaseCall(callID: String) async throws(StoreError) -> Bool
    /// Releases every call held by a node whose last heartbeat is before `date`; how many.
    func releaseCalls(ofNodesSilentSince date: Date) async throws(StoreError) -> Int
    /// The shared counts of `account` (`nil`: all accounts together) at `date`, in the day that began at `dayStart`.
    func sharedCounts(account: String?, at date: Date, dayStart: Date) async throws(StoreError) -> SharedCallCounts
}

/// A call asking to be admitted.
public struct SharedCallAdmission: Sendable, Hashable {
    public var callID: String
    public var account: String
    /// The node admitting it (it holds the call until it releases it or dies).
    public var node: String
    public var time: Date
    /// When the current day began in the fraud control's time zone (calls per day count from it).
    public var dayStart: Date
    /// The account's limits.
    public var limits: SharedCallLimits
    /// The limits of all accounts together.
    public var global: SharedCallLimits

    public init(callID: String, account: String, node: String, time: Date, dayStart: Date, limits: SharedCallLimits,
                global: SharedCallLimits = SharedCallLimits()) {
        self.callID = callID
        self.account = account
        self.node = node
        self.time = time
        self.dayStart = dayStart
        self.limits = limits
        self.global = global
    }
}

/// The shared counts of an account, or of all accounts together.
public struct SharedCallCounts: Sendable, Hashable {
    public var concurrent: Int
    public var lastMinute: Int
    public var today: Int

    public init(concurrent: Int = 0, lastMinute: Int = 0, today: Int = 0) {
        self.concurrent = concurrent
        self.lastMinute = lastMinute
        self.today = today
    }
}

/// Whether a call was admitted against the shared limits.
public enum SharedCallVerdict: Sendable, Hashable {
    case admitted
    /// Refused: which limit of which scope it met.
    case refused(SharedCallRefusal)
}

/// The limit a refused call met.
public struct SharedCallRefusal: Sendable, Hashable {
    public enum Limit: String, Sendable, Hashable {
        case concurrent, perMinute, perDay
    }

    /// The account, or `nil` for the limit of all accounts together.
    public var account: String?
    public var limit: Limit
    /// The limit's value, met or passed by the call.
    public var value: Int

    public init(account: String?, limit: Limit, value: Int) {
        self.account = account
        self.limit = limit
        self.value = value
    }

    /// Which limit, as people say it ("calls at once").
    public var what: String {
        switch limit {
        case .concurrent: "calls at once"
        case .perMinute: "calls in 60 s"
        case .perDay: "calls today"
        }
    }
}

extension SharedCallCounts {
    /// The first limit of `limits` these counts have reached, so that one more call would pass it.
    public func reached(_ limits: SharedCallLimits) -> (SharedCallRefusal.Limit, Int)? {
        if let limit = limits.concurrent, concurrent >= limit { return (.concurrent, limit) }
        if let limit = limits.perMinute, lastMinute >= limit { return (.perMinute, limit) }
        if let limit = limits.perDay, today >= limit { return (.perDay, limit) }
        return nil
    }
}
