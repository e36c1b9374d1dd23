import Synchronization
import TollgateModel

/// The sources Shield refuses now (banned, or on the deny-list), readable from any thread.
///
/// The engine is confined to the gateway's event loop; this copy of its bans and deny-list lets the
/// thread that reads the UDP sockets drop a refused source's datagrams before it spends anything on
/// them (no parsing, nothing handed to the loop), as the engine itself does on the loop. The engine
/// keeps it current on every change of its bans or rules: a ban at a time as bans are set and
/// lifted, the whole table only when a sweep has expired some or a full table made room. Reads take
/// a lock that is only contended in that moment.
public final class ShieldRefusals: Sendable {
    private struct State {
        var bans: [IPAddress: ShieldBan] = [:]
        var deny: [AddressRange] = []
        var neverBan: [AddressRange] = []
    }

    private let state = Mutex(State())
    private let refused = Atomic<UInt64>(0)

    init() {}

    /// Whether packets from `source` are refused at `now` (seconds since 1970); counts each refusal.
    public func refuses(_ source: IPAddress, now: Double) -> Bool {
        let refuses = state.withLock { state in
            Self.refuses(source, ban: state.bans.isEmpty ? nil : state.bans[source], deny: state.deny, neverBan: state.neverBan, now: now)
        }
        if refuses { refused.add(1, ordering: .relaxed) }
        return refuses
    }

    /// The rule, here and in the engine: a source is refused while its ban lasts, or while it is on
    /// the deny-list and not on the never-ban list.
    @inline(__always)
    static func refuses(_ source: IPAddress, ban: ShieldBan?, deny: [AddressRange], neverBan: [AddressRange], now: Double) -> Bool {
        if let ban, ban.until > now { return true }
        return !deny.isEmpty && deny.containsAddress(source) && !neverBan.containsAddress(source)
    }

    /// Packets refused here since the engine started.
    public var refusedPackets: UInt64 { refused.load(ordering: .relaxed) }

    func replace(bans: [IPAddress: ShieldBan]) {
        state.withLock { $0.bans = bans }
    }

    func set(_ ban: ShieldBan) {
        state.withLock { $0.bans[ban.source] = ban }
    }

    func remove(_ source: IPAddress) {
        state.withLock { _ = $0.bans.removeValue(forKey: source) }
    }

    func update(deny: [AddressRange], neverBan: [AddressRange]) {
        state.withLock {
            $0.deny = deny
            $0.neverBan = neverBan
        }
    }
}
