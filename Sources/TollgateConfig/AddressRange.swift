/// An IPv4 or IPv6 network in CIDR form: `192.0.2.0/24`, `2001:db8::/32`; a bare address is a
/// single-host range (`/32` or `/128`).
///
/// Ranges are strict: the address must be the network address (`10.0.0.5/8` is refused with a
/// suggestion of `10.0.0.0/8`), because an allow-list entry that means something other than what
/// it says is a security bug. An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) is stored as the
/// IPv4 range it covers.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network address; its bits past `prefixLength` are zero.
    let network: IPAddress
    /// The number of leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// Creates a range from a network address and prefix; the host bits are cleared.
    init(network: IPAddress, prefixLength: Int) {
        let width = network.bitWidth
        let prefix = max(0, min(prefixLength, width))
        self.network = Self.masked(network, prefix: prefix)
        self.prefixLength = prefix
    }

    /// A single-address range for an IP literal (IPv6 possibly in brackets), or `nil` for a host name.
    init?(host: String) {
        guard let address = ConfigSyntax.ipLiteral(host)?.unmapped else { return nil }
        self.init(network: address, prefixLength: address.bitWidth)
    }

    /// Parses `ADDRESS/PREFIX` or a bare `ADDRESS` (IPv6 may be in brackets).
    ///
    /// - Throws: ``ConfigError`` for an unparsable address, a prefix out of range, or host bits set.
    public init(parsing text: String) throws(ConfigError) {
        let trimmed = text.trimmingASCIIWhitespace()
        let quoted = ConfigSyntax.quoted(trimmed)
        var addressText = Substring(trimmed)
        var prefixText: Substring?
        if let slash = trimmed.firstIndex(of: "/") {
            addressText = trimmed[..<slash]
            prefixText = trimmed[trimmed.index(after: slash)...]
        }
        if addressText.hasPrefix("["), addressText.hasSuffix("]") {
            addressText = addressText.dropFirst().dropLast()
            guard IPAddress.parseIPv6(addressText) != nil else {
                throw ConfigError("\(quoted): \(ConfigSyntax.quoted(addressText)) in brackets is not an IPv6 address")
            }
        }
        guard let parsed = IPAddress(parsing: addressText) else {
            throw ConfigError(
                "\(quoted) is not an IPv4 or IPv6 address or network (expected e.g. 192.0.2.0/24 or 2001:db8::/32)"
            )
        }
        var prefix = parsed.bitWidth
        if let prefixText {
            guard !prefixText.isEmpty, prefixText.utf8.count <= 3, prefixText.utf8.allSatisfy(ConfigSyntax.isDigit),
                let value = Int(prefixText), value <= parsed.bitWidth,
                prefixText == "0" || !prefixText.hasPrefix("0")
            else {
                throw ConfigError("\(quoted): prefix length must be 0-\(parsed.bitWidth)")
            }
            prefix = value
        }
        var address = parsed
        if case .v4 = parsed.unmapped, prefix >= 96 {
            address = parsed.unmapped
            prefix -= 96
        }
        let range = AddressRange(network: address, prefixLength: prefix)
        guard range.network == address else {
            throw ConfigError(
                "\(quoted) has bits set past the /\(prefixText.map(String.init) ?? String(prefix)) prefix (did you mean \(range)?)"
            )
        }
        self = range
    }

    /// Whether `address` lies in the range.
    ///
    /// `address` is an IPv4 or IPv6 address in text; an IPv6 address may be in brackets and carry a
    /// zone (`fe80::1%eth0`). An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as the IPv4
    /// address it carries, so it matches IPv4 ranges and not IPv6 ones. Anything unparsable is
    /// outside every range.
    public func contains(_ address: String) -> Bool {
        var text = Substring(address)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let percent = text.firstIndex(of: "%"), text.contains(":") { text = text[..<percent] }
        guard let parsed = IPAddress(parsing: text) else { return false }
        return contains(parsed)
    }

    /// Whether the address lies in the range (IPv4-mapped IPv6 counting as IPv4).
    func contains(_ address: IPAddress) -> Bool {
        let candidate = address.unmapped
        guard candidate.bitWidth == network.bitWidth else { return false }
        return Self.masked(candidate, prefix: prefixLength) == network
    }

    /// Whether the range is IPv4.
    public var isIPv4: Bool {
        if case .v4 = network { return true }
        return false
    }

    /// `192.0.2.0/24`, `2001:db8::/32`; single hosts keep their `/32` or `/128`.
    public var description: String {
        "\(network)/\(prefixLength)"
    }

    private static func masked(_ address: IPAddress, prefix: Int) -> IPAddress {
        var bytes = address.bytes
        for index in bytes.indices {
            let bitsBefore = index * 8
            if bitsBefore >= prefix {
                bytes[index] = 0
            } else if bitsBefore + 8 > prefix {
                let keep = prefix - bitsBefore
                bytes[index] &= UInt8(truncatingIfNeeded: 0xff << (8 - keep))
            }
        }
        switch address {
        case .v4: return .v4(bytes)
        case .v6: return .v6(bytes)
        }
    }
}

extension AddressRange: Codable {
    /// Decodes the text form, e.g. `"192.0.2.0/24"`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try AddressRange(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the text form, e.g. `"192.0.2.0/24"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
