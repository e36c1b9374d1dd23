import TollgateConfig
import TollgateModel

/// Shield's configuration compiled for the message path: ranges as ``AddressRange``, profiles by
/// index, fingerprints loaded. Immutable; a reload builds a new value and swaps it in whole.
public struct ShieldRules: Sendable {
    /// Why rules could not be built.
    public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Profile indices of the three built-in trust classes.
    static let trustedProfile = 0
    static let registeredProfile = 1
    static let untrustedProfile = 2

    public let config: ShieldConfig
    public let fingerprints: ScannerFingerprints
    /// Profiles by index; names in `profileNames`.
    let profiles: [RateProfile]
    let profileNames: [String]
    /// Statically trusted or profiled peers, first match wins: (range, profile index, trusted).
    let peers: [(range: AddressRange, profile: Int, trusted: Bool)]
    let deny: [AddressRange]
    /// Never banned: `never_ban`, trunks, allow-listed peers and the PBX.
    private(set) var neverBan: [AddressRange]
    let trustedProxies: [AddressRange]

    /// Compiles the `shield` section of `config` (trunks' allowed sources are trusted, with the
    /// profile a peer entry names for the trunk, or `trusted`) with these fingerprints.
    public init(config full: TollgateConfig, fingerprints: ScannerFingerprints) {
        let config = full.shield
        self.config = config
        self.fingerprints = fingerprints
        var names = ["trusted", "registered", "untrusted"]
        for name in config.profiles.keys.sorted() where !names.contains(name) { names.append(name) }
        self.profileNames = names
        self.profiles = names.map { config.profiles[$0] ?? RateProfile.defaults[$0] ?? .untrusted }
        func index(_ name: String) -> Int { names.firstIndex(of: name) ?? Self.untrustedProfile }

        var peers: [(range: AddressRange, profile: Int, trusted: Bool)] = []
        var trunkProfiles: [String: (Int, Bool)] = [:]
        for peer in config.peers {
            if let trunk = peer.trunk { trunkProfiles[trunk] = (index(peer.profile), peer.trusted) }
            for range in peer.sources {
                peers.append((range, index(peer.profile), peer.trusted))
            }
        }
        var neverBan = config.neverBan
        for trunk in full.trunks {
            let (profile, trusted) = trunkProfiles[trunk.name] ?? (Self.trustedProfile, true)
            for range in trunk.allowedSources {
                peers.append((range, profile, trusted))
                neverBan.append(range)
            }
        }
        for range in config.allow {
            peers.append((range, Self.trustedProfile, true))
            neverBan.append(range)
        }
        if let pbx = IPAddress(full.pbx.endpoint.host) { neverBan.append(AddressRange(single: pbx)) }
        self.peers = peers
        self.deny = config.deny
        self.neverBan = neverBan
        self.trustedProxies = config.trustedProxies
        // A proxy in front speaks for many clients: it is never banned for what one of them does.
        self.neverBan += self.trustedProxies
    }

    /// Loads the shipped fingerprints plus the configuration's extra files (relative paths are
    /// taken from `baseDirectory`, the configuration file's folder) and compiles the rules.
    public static func load(config: TollgateConfig, baseDirectory: String) throws(LoadError) -> ShieldRules {
        var fingerprints: ScannerFingerprints
        do {
            fingerprints = try ScannerFingerprints.shipped()
            for file in config.shield.fingerprintFiles {
                let path = file.hasPrefix("/") ? file : baseDirectory + "/" + file
                fingerprints.append(contentsOf: try ScannerFingerprints.load(path: path))
            }
        } catch {
            throw LoadError(message: "shield.scanners: \(error)")
        }
        return ShieldRules(config: config, fingerprints: fingerprints)
    }

    /// The profile name at an index.
    func profileName(_ index: Int) -> String { profileNames.indices.contains(index) ? profileNames[index] : "untrusted" }
}
