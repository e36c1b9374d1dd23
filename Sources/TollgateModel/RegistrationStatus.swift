/// A trunk registration as the status file reports it.
public struct RegistrationStatus: Codable, Sendable, Equatable {
    /// `idle`, `registering`, `registered`, `failed`, `unregistering` or `stopped`.
    public var state: String
    /// The lifetime the trunk granted, in seconds, while registered.
    public var expires: Int?
    /// Why the last attempt failed, until one succeeds.
    public var lastFailure: String?

    /// Creates a status record.
    public init(state: String, expires: Int? = nil, lastFailure: String? = nil) {
        self.state = state
        self.expires = expires
        self.lastFailure = lastFailure
    }
}
