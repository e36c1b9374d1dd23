import Foundation

/// "Divert now": inbound calls go straight to the configured fallback (a mobile, a cloud service)
/// instead of the PBX, switched on by an operator when the office cannot take calls (an
/// evacuation, a PBX outage) and off again when it can.
public struct DivertState: Sendable, Hashable, Codable {
    /// Since when it is on.
    public var since: Date
    /// Who switched it on (a console user, or `cli:<login>`).
    public var actor: String
    public var reason: String

    public init(since: Date, actor: String, reason: String) {
        self.since = since
        self.actor = actor
        self.reason = reason
    }
}
