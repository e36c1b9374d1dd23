import TollgateConfig

/// An address range (CIDR) over ``SourceAddress`` keys: IPv4 ranges are kept as their
/// IPv4-mapped IPv6 form, so one test covers both families.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64
    let highMask: UInt64
    let lowMask: UInt64
    public let description: String

    /// The range a configuration entry names.
    public init?(_ range: AddressRange) {
        let text = range.description
        guard let slash = text.lastIndex(of: "/"), let address = SourceAddress(text[..<slash]),
              let prefix = Int(text[text.index(after: slash)...])
        else { return nil }
        // An IPv4 prefix counts from bit 96 of the mapped form.
        let bits = address.isIPv4 ? 96 + prefix : prefix
        self.highMask = bits >= 64 ? .max : (bits == 0 ? 0 : ~(UInt64.max >> UInt64(bits)))
        self.lowMask = bits <= 64 ? 0 : (bits >= 128 ? .max : ~(UInt64.max >> UInt64(bits - 64)))
        self.high = address.high & highMask
        self.low = address.low & lowMask
        self.description = text
    }

    /// The range of one address.
    public init(single address: SourceAddress) {
        high = address.high
        low = address.low
        highMask = .max
        lowMask = .max
        description = address.description + (address.isIPv4 ? "/32" : "/128")
    }

    /// Whether `address` is inside the range.
    @inline(__always)
    public func contains(_ address: SourceAddress) -> Bool {
        address.high & highMask == high && address.low & lowMask == low
    }
}

extension Array where Element == SourceRange {
    /// Whether any range holds `address`.
    @inline(__always)
    func containsAddress(_ address: SourceAddress) -> Bool {
        for range in self where range.contains(address) { return true }
        return false
    }
}
