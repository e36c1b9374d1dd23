/// Bencoding (as BitTorrent and rtpengine's ng control protocol use it): byte strings, integers,
/// lists and dictionaries.
indirect enum Bencode: Equatable {
    case bytes([UInt8])
    case integer(Int)
    case list([Bencode])
    /// Keys are written in the order given (rtpengine does not require them sorted).
    case dictionary([(String, Bencode)])

    static func string(_ text: String) -> Bencode { .bytes(Array(text.utf8)) }

    static func == (lhs: Bencode, rhs: Bencode) -> Bool {
        switch (lhs, rhs) {
        case (.bytes(let a), .bytes(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.dictionary(let a), .dictionary(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    var encoded: [UInt8] {
        switch self {
        case .bytes(let bytes): Array("\(bytes.count):".utf8) + bytes
        case .integer(let value): Array("i\(value)e".utf8)
        case .list(let items): [UInt8(ascii: "l")] + items.flatMap(\.encoded) + [UInt8(ascii: "e")]
        case .dictionary(let pairs):
            [UInt8(ascii: "d")] + pairs.flatMap { Bencode.string($0.0).encoded + $0.1.encoded } + [UInt8(ascii: "e")]
        }
    }

    /// The text of a byte string.
    var text: String? {
        if case .bytes(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// A dictionary's value for `key`.
    subscript(key: String) -> Bencode? {
        if case .dictionary(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    struct DecodingError: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes one value from the start of `bytes`.
    static func decode(_ bytes: [UInt8]) throws -> Bencode {
        var index = 0
        return try decode(bytes, at: &index)
    }

    private static func decode(_ bytes: [UInt8], at index: inout Int) throws -> Bencode {
        guard index < bytes.count else { throw DecodingError(description: "ends early") }
        switch bytes[index] {
        case UInt8(ascii: "i"):
            guard let end = bytes[index...].firstIndex(of: UInt8(ascii: "e")),
                  let value = Int(String(decoding: bytes[(index + 1)..<end], as: UTF8.self)) else {
                throw DecodingError(description: "a bad integer at \(index)")
            }
            index = end + 1
            return .integer(value)
        case UInt8(ascii: "l"), UInt8(ascii: "d"):
            let isList = bytes[index] == UInt8(ascii: "l")
            index += 1
            var items: [Bencode] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "e") { items.append(try decode(bytes, at: &index)) }
            guard index < bytes.count else { throw DecodingError(description: "an unterminated \(isList ? "list" : "dictionary")") }
            index += 1
            if isList { return .list(items) }
            guard items.count % 2 == 0 else { throw DecodingError(description: "a dictionary with an odd count") }
            return .dictionary(stride(from: 0, to: items.count, by: 2).map { (items[$0].text ?? "", items[$0 + 1]) })
        default:
            guard let colon = bytes[index...].firstIndex(of: UInt8(ascii: ":")),
                  let length = Int(String(decoding: bytes[index..<colon], as: UTF8.self)), length >= 0,
                  colon + 1 + length <= bytes.count else {
                throw DecodingError(description: "a bad string at \(index)")
            }
            index = colon + 1 + length
            return .bytes(Array(bytes[(colon + 1)..<index]))
        }
    }
}
