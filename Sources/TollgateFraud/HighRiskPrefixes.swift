import Foundation
import TollgateConfig

/// E.164 prefixes of premium-rate, high-risk and satellite destinations, read from a data file
/// that operators can extend (the shipped one is `high-risk-prefixes.txt`; the format is
/// described at its top).
public struct HighRiskPrefixes: Sendable, Hashable {
    /// The kind of destination a prefix marks.
    public enum Category: String, Sendable, Hashable, CaseIterable, Codable {
        /// A national premium-rate range.
        case premium
        /// A country or code named by carriers' block lists, or a NANP look-alike.
        case highRisk = "high-risk"
        /// A satellite or non-geographic range.
        case satellite
    }

    /// One prefix.
    public struct Entry: Sendable, Hashable {
        /// The E.164 digits, without `+`.
        public var prefix: String
        public var category: Category
        /// The comment naming where the entry comes from, if any.
        public var source: String?
        /// Where it was defined, `file:line`.
        public var origin: String

        public init(prefix: String, category: Category, source: String? = nil, origin: String) {
            self.prefix = prefix
            self.category = category
            self.source = source
            self.origin = origin
        }
    }

    /// Why a prefix file could not be used.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var origin: String
        public var message: String
        public var description: String { "\(origin): \(message)" }
    }

    /// The entries, in file order.
    public private(set) var entries: [Entry] {
        didSet { index = PrefixIndex(entries) }
    }
    /// The entries by prefix, for a lookup per prefix length instead of a walk over every entry.
    private var index: PrefixIndex

    public init(entries: [Entry] = []) {
        self.entries = entries
        index = PrefixIndex(entries)
    }

    /// Parses the text of a prefix file; `source` names it in errors.
    public init(parsing text: String, source: String) throws(FormatError) {
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(source):\(index + 1)"
            var line = Substring(rawLine)
            var comment: String?
            if let hash = line.firstIndex(of: "#") {
                let text = line[line.index(after: hash)...].trimmingCharacters(in: .whitespaces)
                comment = text.isEmpty ? nil : text
                line = line[..<hash]
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            guard words.count == 2 else {
                throw FormatError(origin: origin, message: "expected PREFIX CLASS, found \"\(line.trimmingCharacters(in: .whitespaces))\"")
            }
            let prefixText = words[0]
            let digits = prefixText.dropFirst()
            guard prefixText.hasPrefix("+"), !digits.isEmpty, digits.count <= 15, digits.first != "0",
                  digits.allSatisfy({ $0.isASCII && $0.isNumber })
            else {
                throw FormatError(origin: origin, message: "the prefix must be \"+\" and 1-15 digits not starting with 0, found \"\(prefixText)\"")
            }
            guard let category = Category(rawValue: words[1].lowercased()) else {
                let names = Category.allCases.map(\.rawValue).joined(separator: ", ")
                throw FormatError(origin: origin, message: "the class must be one of \(names), found \"\(words[1])\"")
            }
            entries.append(Entry(prefix: String(digits), category: category, source: comment, origin: origin))
        }
        self.entries = entries
        index = PrefixIndex(entries)
    }

    /// Reads a prefix file.
    public static func load(path: String) throws(FormatError) -> HighRiskPrefixes {
        switch ShippedDataFile.read(path, kind: "prefix file") {
        case .success(let text): return try HighRiskPrefixes(parsing: text, source: path)
        case .failure(let error): throw FormatError(origin: error.origin, message: error.message)
        }
    }

    /// The file shipped with Tollgate.
    public static let shippedFile = ShippedDataFile(name: "high-risk-prefixes.txt", target: "TollgateFraud", environmentOverride: "TOLLGATE_HIGH_RISK_PREFIXES")

    /// The prefixes shipped with Tollgate (`high-risk-prefixes.txt`, beside the executable in
    /// its resource bundle); `TOLLGATE_HIGH_RISK_PREFIXES` names another file instead.
    public static func shipped() throws(FormatError) -> HighRiskPrefixes {
        switch shippedFile.locate() {
        case .success(let path): return try load(path: path)
        case .failure(let error): throw FormatError(origin: error.origin, message: error.message)
        }
    }

    /// Adds entries after these (later files extend earlier ones).
    public mutating func append(contentsOf other: HighRiskPrefixes) { entries += other.entries }

    /// The entry with the longest prefix of `e164Digits` (digits without `+`); on equal
    /// lengths the first defined wins.
    public func longestMatch(_ e164Digits: String) -> Entry? {
        let digits = e164Digits.utf8
        for length in index.lengths where length <= digits.count {
            // Prefixes are at most 15 ASCII digits: small strings, built without allocating.
            if let position = index.first[String(Substring(e164Digits.utf8.prefix(length)))] { return entries[position] }
        }
        return nil
    }

    /// The position of the first entry of each prefix, and the prefix lengths in use, longest first.
    private struct PrefixIndex: Sendable, Hashable {
        var first: [String: Int] = [:]
        var lengths: [Int] = []

        init(_ entries: [Entry]) {
            for (position, entry) in entries.enumerated() where first[entry.prefix] == nil { first[entry.prefix] = position }
            lengths = Set(entries.map(\.prefix.utf8.count)).sorted(by: >)
        }
    }
}
