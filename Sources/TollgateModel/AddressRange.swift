/// An IPv4 or IPv6 network in CIDR form: `192.0.2.0/24`, `2001:db8::/32`; a bare address is a
/// single-host range (`/32` or `/128`).
///
/// Ranges are strict: the address must be the network address (`10.0.0.5/8` is refused with a
/// suggestion of `10.0.0.0/8`), because an allow-list entry that means something other than what
/// it says is a security bug. An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) is the IPv4 range
/// it covers, and IPv4 and IPv6 are separate families (`::/0` holds no IPv4 address). Matching an
/// ``IPAddress`` is two masked comparisons.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network address; its bits past the prefix are zero.
    public let network: IPAddress
    /// The number of leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int
    private let highMask: UInt64
    private let lowMask: UInt64

    /// A range from a network address and prefix (clamped to the family's width); host bits are cleared.
    public init(network: IPAddress, prefixLength: Int) {
        let prefix = max(0, min(prefixLength, network.bitWidth))
        // An IPv4 prefix counts from bit 96 of the mapped form.
        let bits = network.isIPv4 ? 96 + prefix : prefix
        highMask = bits >= 64 ? .max : (bits == 0 ? 0 : ~(UInt64.max >> UInt64(bits)))
        lowMask = bits <= 64 ? 0 : (bits >= 128 ? .max : ~(UInt64.max >> UInt64(bits - 64)))
        self.network = IPAddress(high: network.high & highMask, low: network.low & lowMask)
        self.prefixLength = prefix
    }

    /// The range of one address.
    public init(single address: IPAddress) {
        self.init(network: address, prefixLength: address.bitWidth)
    }

    /// Parses `ADDRESS/PREFIX` or a bare `ADDRESS` (IPv6 may be in brackets).
    ///
    /// - Throws: ``AddressRangeError`` for an unparsable address, a prefix out of range, or host bits set.
    public init(parsing text: String) throws(AddressRangeError) {
        let trimmed = Self.trimmed(text)
        let quoted = "'\(trimmed)'"
        var addressText = Substring(trimmed)
        var prefixText: Substring?
        if let slash = trimmed.firstIndex(of: "/") {
            addressText = trimmed[..<slash]
            prefixText = trimmed[trimmed.index(after: slash)...]
        }
        var bracketed = false
        if addressText.hasPrefix("["), addressText.hasSuffix("]") {
            addressText = addressText.dropFirst().dropLast()
            bracketed = true
        }
        let parsedBytes = bracketed ? IPAddress.parseIPv6(addressText) : (IPAddress.parseIPv4(addressText) ?? IPAddress.parseIPv6(addressText))
        guard let parsedBytes, let parsed = IPAddress(bytes: parsedBytes) else {
            if bracketed { throw AddressRangeError("\(quoted): '\(addressText)' in brackets is not an IPv6 address") }
            throw AddressRangeError("\(quoted) is not an IPv4 or IPv6 address or network (expected e.g. 192.0.2.0/24 or 2001:db8::/32)")
        }
        // The width the text was written in: an IPv4-mapped IPv6 network is written with an IPv6 prefix.
        let writtenWidth = parsedBytes.count * 8
        var prefix = writtenWidth
        if let prefixText {
            guard !prefixText.isEmpty, prefixText.utf8.count <= 3,
                prefixText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = Int(prefixText), value <= writtenWidth,
                prefixText == "0" || !prefixText.hasPrefix("0")
            else {
                throw AddressRangeError("\(quoted): prefix length must be 0-\(writtenWidth)")
            }
            prefix = value
        }
        if parsed.isIPv4, writtenWidth == 128 {
            // `::ffff:10.0.0.0/104` is `10.0.0.0/8`; a shorter prefix reaches past the mapped block.
            guard prefix >= 96 else {
                throw AddressRangeError("\(quoted): an IPv4-mapped network needs a prefix of at least 96")
            }
            prefix -= 96
        }
        let range = AddressRange(network: parsed, prefixLength: prefix)
        guard range.network == parsed else {
            throw AddressRangeError(
                "\(quoted) has bits set past the /\(prefixText.map(String.init) ?? String(prefix)) prefix (did you mean \(range)?)"
            )
        }
        self = range
    }

    /// Whether `address` lies in the range.
    /// IPv4 and IPv6 are separate families: `::/0` holds every IPv6 address and no IPv4 one.
    @inline(__always)
    public func contains(_ address: IPAddress) -> Bool {
        address.high & highMask == network.high && address.low & lowMask == network.low && address.isIPv4 == network.isIPv4
    }

    /// Whether the address in `text` lies in the range: IPv6 may be in brackets and carry a zone;
    /// an IPv4-mapped IPv6 address counts as the IPv4 address it carries. Anything unparsable is
    /// outside every range.
    public func contains(_ text: String) -> Bool {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":"), let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        guard let address = IPAddress(parsing: text) else { return false }
        return contains(address)
    }

    /// Whether the range is IPv4.
    public var isIPv4: Bool { network.isIPv4 }

    /// `192.0.2.0/24`, `2001:db8::/32`; single hosts keep their `/32` or `/128`.
    public var description: String { "\(network)/\(prefixLength)" }

    private static func trimmed(_ text: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        var slice = Substring(text)
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
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

extension Array where Element == AddressRange {
    /// Whether any range holds `address`.
    @inline(__always)
    public func containsAddress(_ address: IPAddress) -> Bool {
        for range in self where range.contains(address) { return true }
        return false
    }
}

/// Why a text is not an address range; the message quotes it and says what was expected.
public struct AddressRangeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
