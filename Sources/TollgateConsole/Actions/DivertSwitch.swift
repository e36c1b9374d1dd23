import Foundation
import TollgateConfig
import TollgateModel
import TollgateStore

/// Switches "divert now" on and off in the store, where every gateway reads it within a second,
/// and writes the switch to the audit log: the one implementation behind `tollgate divert` and the
/// console's button and API.
public struct DivertSwitch: Sendable {
    /// Why a switch was refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case noFallback
        case reasonTooLong
        case store(String)

        public var description: String {
            switch self {
            case .noFallback: "no fallback is configured: set fallback: { target: NUMBER, trunks: [TRUNK] } so there is somewhere to divert to"
            case .reasonTooLong: "the reason is longer than 200 characters"
            case .store(let reason): "the store refused the change: \(reason)"
            }
        }
    }

    public let store: any Store
    public let fallback: FallbackConfig?
    public let actor: String
    public let source: String
    public let now: Date

    public init(store: any Store, fallback: FallbackConfig?, actor: String, source: String, now: Date = Date()) {
        self.store = store
        self.fallback = fallback
        self.actor = actor
        self.source = source
        self.now = now
    }

    /// Where diverted calls go, as people read it: `+447700900123 over carrier, backup`.
    public static func destination(_ fallback: FallbackConfig) -> String {
        "\(fallback.target) over \(fallback.trunks.joined(separator: ", "))"
    }

    /// Switches divert on (`true`) or off; returns the state now in force. Switching to the state
    /// already in force changes nothing and logs nothing.
    @discardableResult
    public func set(on: Bool, reason: String?) async throws(Refusal) -> DivertState? {
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= 200 else { throw .reasonTooLong }
        do {
            let current = try await store.divert()
            if on {
                guard let fallback else { throw Refusal.noFallback }
                if let current { return current }
                let state = DivertState(since: now, actor: actor, reason: reason.isEmpty ? "no reason given" : reason)
                try await store.setDivert(state)
                try await store.appendAuditEntry(actor: actor, source: source, action: "divert.on", target: Self.destination(fallback),
                                                 before: "calls to the PBX", after: "calls to the fallback (\(state.reason))", at: now)
                return state
            }
            guard let current else { return nil }
            try await store.setDivert(nil)
            try await store.appendAuditEntry(actor: actor, source: source, action: "divert.off", target: fallback.map(Self.destination) ?? "fallback",
                                             before: "calls to the fallback since \(ISO8601DateFormatter().string(from: current.since))",
                                             after: "calls to the PBX\(reason.isEmpty ? "" : " (\(reason))")", at: now)
            return nil
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw .store("\(error)")
        }
    }
}
