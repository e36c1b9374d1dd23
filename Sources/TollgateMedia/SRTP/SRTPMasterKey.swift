/// A master key and salt for one SRTP suite, as an `a=crypto` line's `inline:` parameter carries them.
/// Its description never shows the key.
public struct SRTPMasterKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The suite the key is for.
    public let profile: SRTPProtectionProfile
    /// The master key (16 or 32 bytes).
    public let key: [UInt8]
    /// The master salt (14 bytes, or 12 for GCM).
    public let salt: [UInt8]

    /// A key from the concatenated master key and salt.
    ///
    /// - Throws: ``SRTPError/wrongKeyLength(profile:length:)`` when the bytes are not the suite's length.
    public init(profile: SRTPProtectionProfile, keyAndSalt: [UInt8]) throws(SRTPError) {
        guard keyAndSalt.count == profile.keyAndSaltLength else {
            throw .wrongKeyLength(profile: profile, length: keyAndSalt.count)
        }
        self.profile = profile
        self.key = Array(keyAndSalt.prefix(profile.keyLength))
        self.salt = Array(keyAndSalt.suffix(profile.saltLength))
    }

    /// A fresh key from the system's secure random source.
    public static func random(profile: SRTPProtectionProfile) -> SRTPMasterKey {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<profile.keyAndSaltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // The length is the profile's own, so this cannot fail.
        return (try? SRTPMasterKey(profile: profile, keyAndSalt: bytes)) ?? SRTPMasterKey(unchecked: profile, bytes)
    }

    private init(unchecked profile: SRTPProtectionProfile, _ bytes: [UInt8]) {
        self.profile = profile
        self.key = Array(bytes.prefix(profile.keyLength))
        self.salt = Array(bytes.suffix(profile.saltLength))
    }

    /// The master key followed by the salt, as `inline:` encodes them.
    public var keyAndSalt: [UInt8] { key + salt }

    public var description: String { "SRTPMasterKey(\(profile.sdesName), redacted)" }
    public var debugDescription: String { description }
    /// No key bytes in a dump or a debugger's view either.
    public var customMirror: Mirror { Mirror(self, children: ["profile": profile], displayStyle: .struct) }
}
