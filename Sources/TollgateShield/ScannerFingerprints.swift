import Foundation
import TollgateConfig
import SIPCore

/// Signatures of known SIP scanners and attack tools, read from a data file that operators can
/// extend (the shipped one is `scanner-fingerprints.txt`; the format is described at its top).
public struct ScannerFingerprints: Sendable {
    /// What a matching signature does.
    public enum Action: String, Sendable, Hashable {
        /// Refuse and ban.
        case block
        /// Record an event only.
        case signal
    }

    /// One signature.
    public struct Signature: Sendable {
        public var tool: String
        public var action: Action
        /// The header name, or `nil` for the Request-URI.
        public var header: SIPHeaderName?
        /// The lower-cased text to find, when the pattern is not a regular expression.
        var needle: [UInt8]
        /// The regular expression's source, when it is one.
        public var expression: String?
        nonisolated(unsafe) var regex: Regex<AnyRegexOutput>?
        /// Where it was defined, `file:line`.
        public var origin: String

        /// Whether `value` matches.
        func matches(_ value: String) -> Bool {
            if let regex { return (try? regex.firstMatch(in: value)) != nil }
            return Self.containsCaseInsensitive(value.utf8, needle)
        }

        static func containsCaseInsensitive(_ haystack: String.UTF8View, _ needle: [UInt8]) -> Bool {
            if let found = haystack.withContiguousStorageIfAvailable({ contains($0, needle) }) { return found }
            return Array(haystack).withUnsafeBufferPointer { contains($0, needle) }
        }

        static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
            guard let first = needle.first, bytes.count >= needle.count else { return false }
            var index = 0
            let last = bytes.count - needle.count
            while index <= last {
                if lower(bytes[index]) == first {
                    var offset = 1
                    while offset < needle.count, lower(bytes[index + offset]) == needle[offset] { offset += 1 }
                    if offset == needle.count { return true }
                }
                index += 1
            }
            return false
        }

        @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
    }

    /// A signature that matched a message.
    public struct Match: Sendable, Hashable {
        public var tool: String
        public var action: Action
        /// What matched, e.g. `User-Agent: friendly-scanner`.
        public var evidence: String
    }

    /// Why a fingerprint file could not be used.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var origin: String
        public var message: String
        public var description: String { "\(origin): \(message)" }
    }

    public private(set) var signatures: [Signature] {
        didSet { groups = Self.group(signatures) }
    }
    /// Signature indices by the header they look at, so each header is read once per message.
    private var groups: [(header: SIPHeaderName?, indices: [Int])] = []

    public init(signatures: [Signature] = []) {
        self.signatures = signatures
        self.groups = Self.group(signatures)
    }

    private static func group(_ signatures: [Signature]) -> [(header: SIPHeaderName?, indices: [Int])] {
        var groups: [(header: SIPHeaderName?, indices: [Int])] = []
        for (index, signature) in signatures.enumerated() {
            if let slot = groups.firstIndex(where: { $0.header == signature.header }) {
                groups[slot].indices.append(index)
            } else {
                groups.append((signature.header, [index]))
            }
        }
        return groups
    }

    /// Parses the text of a fingerprint file; `source` names it in errors.
    public init(parsing text: String, source: String) throws(FormatError) {
        var signatures: [Signature] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(source):\(index + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var rest = Substring(line)
            func word() -> Substring? {
                rest = rest.drop { $0 == " " || $0 == "\t" }
                guard !rest.isEmpty else { return nil }
                let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
                defer { rest = rest[end...] }
                return rest[..<end]
            }
            guard let tool = word(), let actionText = word(), let headerText = word() else {
                throw FormatError(origin: origin, message: "expected TOOL ACTION HEADER PATTERN, found \"\(line)\"")
            }
            guard let action = Action(rawValue: actionText.lowercased()) else {
                throw FormatError(origin: origin, message: "action must be block or signal, found \"\(actionText)\"")
            }
            let pattern = rest.trimmingCharacters(in: .whitespaces)
            guard !pattern.isEmpty else { throw FormatError(origin: origin, message: "the pattern is missing") }
            let header: SIPHeaderName? = headerText.lowercased() == "request-uri" ? nil : SIPHeaderName(String(headerText))
            var signature = Signature(tool: String(tool), action: action, header: header, needle: [], expression: nil, regex: nil, origin: origin)
            if pattern.hasPrefix("~") {
                let source = String(pattern.dropFirst())
                do {
                    signature.regex = try Regex(source).ignoresCase()
                    signature.expression = source
                } catch {
                    throw FormatError(origin: origin, message: "invalid regular expression \"\(source)\": \(error)")
                }
            } else {
                signature.needle = Array(pattern.lowercased().utf8)
            }
            signatures.append(signature)
        }
        self.signatures = signatures
        self.groups = Self.group(signatures)
    }

    /// Reads a fingerprint file.
    public static func load(path: String) throws(FormatError) -> ScannerFingerprints {
        switch ShippedDataFile.read(path, kind: "fingerprint file") {
        case .success(let text): return try ScannerFingerprints(parsing: text, source: path)
        case .failure(let error): throw FormatError(origin: error.origin, message: error.message)
        }
    }

    /// The file shipped with Tollgate.
    public static let shippedFile = ShippedDataFile(name: "scanner-fingerprints.txt", target: "TollgateShield", environmentOverride: "TOLLGATE_FINGERPRINTS")

    /// The fingerprints shipped with Tollgate (`scanner-fingerprints.txt`, beside the executable in
    /// its resource bundle).
    public static func shipped() throws(FormatError) -> ScannerFingerprints {
        switch shippedFile.locate() {
        case .success(let path): return try load(path: path)
        case .failure(let error): throw FormatError(origin: error.origin, message: error.message)
        }
    }

    /// Adds the signatures of another set after these.
    public mutating func append(contentsOf other: ScannerFingerprints) { signatures += other.signatures }

    /// The first signature a request matches (blocking signatures win over signals).
    public func match(_ message: SIPMessage) -> Match? {
        var signal: Match?
        for group in groups {
            let values: [String]
            if let header = group.header { values = message.values(of: header) } else { values = message.requestURIText.map { [$0] } ?? [] }
            if values.isEmpty { continue }
            for index in group.indices {
                let signature = signatures[index]
                for value in values where signature.matches(value) {
                    let name = signature.header?.description ?? "Request-URI"
                    let evidence = "\(name): \(value.prefix(120))"
                    if signature.action == .block { return Match(tool: signature.tool, action: .block, evidence: evidence) }
                    if signal == nil { signal = Match(tool: signature.tool, action: .signal, evidence: evidence) }
                }
            }
        }
        return signal
    }
}
