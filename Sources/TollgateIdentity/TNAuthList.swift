import SwiftASN1

/// The TNAuthList certificate extension (RFC 8226 §9, OID 1.3.6.1.5.5.7.1.26): what a STIR
/// certificate lets its holder sign for — a service provider code, ranges of numbers, or numbers.
///
/// ```
/// TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
/// TNEntry ::= CHOICE { spc [0] ServiceProviderCode, range [1] TelephoneNumberRange, one [2] TelephoneNumber }
/// TelephoneNumberRange ::= SEQUENCE { start TelephoneNumber, count INTEGER (2..MAX), ... }
/// ```
/// The module uses explicit tags; each tag wraps the IA5String or the range's SEQUENCE.
public struct TNAuthList: Sendable, Hashable, DERSerializable {
    public static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 26]

    /// One entry of the list.
    public enum Entry: Sendable, Hashable {
        case serviceProviderCode(String)
        case range(start: String, count: Int)
        case number(String)
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The service provider codes in the list (SHAKEN certificates carry one).
    public var serviceProviderCodes: [String] {
        entries.compactMap { if case .serviceProviderCode(let code) = $0 { code } else { nil } }
    }

    /// Whether the list names numbers at all (a list of codes only authorises whatever the code holds).
    public var namesNumbers: Bool {
        entries.contains { if case .serviceProviderCode = $0 { false } else { true } }
    }

    /// Whether `e164` (digits, no `+`) is among the numbers or ranges listed.
    public func covers(_ e164: String) -> Bool {
        entries.contains { entry in
            switch entry {
            case .serviceProviderCode:
                return false
            case .number(let number):
                return number == e164
            case .range(let start, let count):
                guard start.count == e164.count, let first = UInt64(start), let value = UInt64(e164) else { return false }
                return value >= first && value - first < UInt64(count)
            }
        }
    }

    /// Reads the extension's value (the DER inside its OCTET STRING).
    public init(derEncoded bytes: ArraySlice<UInt8>) throws {
        let root = try DER.parse(bytes)
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw ASN1Error.unexpectedFieldType(root.identifier)
        }
        var entries: [Entry] = []
        for child in children {
            guard child.identifier.tagClass == .contextSpecific, case .constructed(let inner) = child.content else {
                throw ASN1Error.unexpectedFieldType(child.identifier)
            }
            var nodes = inner.makeIterator()
            guard let value = nodes.next(), nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "TNEntry") }
            switch child.identifier.tagNumber {
            case 0:
                entries.append(.serviceProviderCode(String(try ASN1IA5String(derEncoded: value))))
            case 1:
                entries.append(try Self.range(value))
            case 2:
                entries.append(.number(String(try ASN1IA5String(derEncoded: value))))
            default:
                throw ASN1Error.unexpectedFieldType(child.identifier)
            }
        }
        guard !entries.isEmpty else { throw ASN1Error.invalidASN1Object(reason: "an empty TNAuthList") }
        self.entries = entries
    }

    private static func range(_ node: ASN1Node) throws -> Entry {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let start = String(try ASN1IA5String(derEncoded: &nodes))
            let count = try Int(derEncoded: &nodes)
            while nodes.next() != nil {}  // extensions after `...`
            guard count >= 2 else { throw ASN1Error.invalidASN1Object(reason: "a TN range of fewer than two numbers") }
            return .range(start: start, count: count)
        }
    }

    public func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            for entry in entries {
                switch entry {
                case .serviceProviderCode(let code):
                    try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { try $0.serialize(try ASN1IA5String(code)) }
                case .range(let start, let count):
                    try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(try ASN1IA5String(start))
                            try coder.serialize(count)
                        }
                    }
                case .number(let number):
                    try coder.serialize(explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific) { try $0.serialize(try ASN1IA5String(number)) }
                }
            }
        }
    }
}
