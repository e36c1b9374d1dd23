/// Digest credentials the gateway uses toward a trunk (for challenged requests and registration).
///
/// The password is never written out: encoding (`config show --json`) replaces it with
/// ``redactedPassword``, and ``description`` leaves it out.
public struct TrunkCredentials: Sendable, Hashable, CustomStringConvertible {
    /// What encoding writes instead of the password.
    public static let redactedPassword = "********"

    /// The digest user name.
    public var username: String
    /// The digest password.
    public var password: String
    /// The realm these credentials answer; any realm when `nil`.
    public var realm: String?
    /// Whether the gateway registers with the trunk.
    public var register: Bool = false

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - username: The digest user name.
    ///   - password: The digest password.
    ///   - realm: The realm these credentials answer, or `nil` for any.
    ///   - register: Whether the gateway registers with the trunk.
    public init(username: String, password: String, realm: String? = nil, register: Bool = false) {
        self.username = username
        self.password = password
        self.realm = realm
        self.register = register
    }

    /// A summary of the credentials with the password redacted.
    public var description: String {
        "TrunkCredentials(username: \(username), password: \(Self.redactedPassword), realm: \(realm ?? "any"), register: \(register))"
    }
}

extension TrunkCredentials: Codable {
    private enum CodingKeys: String, CodingKey {
        case username, password, realm, register
    }

    /// Decodes credentials; `realm` and `register` may be missing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.username = try container.decode(String.self, forKey: .username)
        self.password = try container.decode(String.self, forKey: .password)
        self.realm = try container.decodeIfPresent(String.self, forKey: .realm)
        self.register = try container.decodeIfPresent(Bool.self, forKey: .register) ?? false
    }

    /// Encodes the credentials with the password replaced by ``redactedPassword``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(username, forKey: .username)
        try container.encode(Self.redactedPassword, forKey: .password)
        try container.encodeIfPresent(realm, forKey: .realm)
        try container.encode(register, forKey: .register)
    }
}

extension TrunkCredentials: CustomDebugStringConvertible {
    /// The same as ``description``: the password is never shown.
    public var debugDescription: String {
        description
    }
}
