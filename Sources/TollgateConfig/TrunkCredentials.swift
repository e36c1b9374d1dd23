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
    /// The registration lifetime the gateway asks for, in seconds (60 to 86400); the trunk may
    /// grant less, and the gateway refreshes at about 80% of what it grants.
    public var registerExpires: Int = Self.defaultRegisterExpires

    /// The registration lifetime asked for when the configuration does not say.
    public static let defaultRegisterExpires = 3600
    /// The shortest and longest registration lifetime the configuration may ask for.
    public static let registerExpiresRange = 60...86_400

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - username: The digest user name.
    ///   - password: The digest password.
    ///   - realm: The realm these credentials answer, or `nil` for any.
    ///   - register: Whether the gateway registers with the trunk.
    ///   - registerExpires: The registration lifetime to ask for, in seconds.
    public init(username: String, password: String, realm: String? = nil, register: Bool = false,
                registerExpires: Int = TrunkCredentials.defaultRegisterExpires) {
        self.username = username
        self.password = password
        self.realm = realm
        self.register = register
        self.registerExpires = registerExpires
    }

    /// A summary of the credentials with the password redacted.
    public var description: String {
        "TrunkCredentials(username: \(username), password: \(Self.redactedPassword), realm: \(realm ?? "any"), register: \(register), registerExpires: \(registerExpires))"
    }
}

extension TrunkCredentials: Codable {
    private enum CodingKeys: String, CodingKey {
        case username, password, realm, register, registerExpires
    }

    /// Decodes credentials; `realm`, `register` and `registerExpires` may be missing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.username = try container.decode(String.self, forKey: .username)
        self.password = try container.decode(String.self, forKey: .password)
        self.realm = try container.decodeIfPresent(String.self, forKey: .realm)
        self.register = try container.decodeIfPresent(Bool.self, forKey: .register) ?? false
        self.registerExpires = try container.decodeIfPresent(Int.self, forKey: .registerExpires) ?? Self.defaultRegisterExpires
    }

    /// Encodes the credentials with the password replaced by ``redactedPassword``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(username, forKey: .username)
        try container.encode(Self.redactedPassword, forKey: .password)
        try container.encodeIfPresent(realm, forKey: .realm)
        try container.encode(register, forKey: .register)
        try container.encode(registerExpires, forKey: .registerExpires)
    }
}

extension TrunkCredentials: CustomDebugStringConvertible {
    /// The same as ``description``: the password is never shown.
    public var debugDescription: String {
        description
    }
}
