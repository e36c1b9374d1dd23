import Foundation
import TollgateConfig

/// What a device's announcements say about it: vendor, product line, model, firmware and role.
public struct DeviceIdentity: Sendable, Hashable, Codable {
    public var vendor: String
    /// The product line, as the lifecycle table names it (`Asterisk`, `Poly VVX`, `Cisco SPA`).
    public var product: String
    public var model: String?
    public var firmware: String?
    public var role: DeviceFingerprints.Role
    public var confidence: DeviceFingerprints.Confidence
    /// Where the rule that matched comes from.
    public var source: String

    public init(vendor: String, product: String, model: String? = nil, firmware: String? = nil, role: DeviceFingerprints.Role,
                confidence: DeviceFingerprints.Confidence, source: String) {
        self.vendor = vendor
        self.product = product
        self.model = model
        self.firmware = firmware
        self.role = role
        self.confidence = confidence
        self.source = source
    }
}

/// The device fingerprints Tollgate ships (`device-fingerprints.txt`): User-Agent and Server shapes,
/// To-tag shapes, digest realms and telltale headers, each mapped to a vendor and product with a
/// confidence and a source. Read once; matching is pure.
public struct DeviceFingerprints: Sendable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case userAgent = "user-agent"
        case toTag = "to-tag"
        case realm
        case header
        case allow
    }

    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case phone, softphone, ata, pbx, proxy, sbc
    }

    public enum Confidence: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case low, medium, high

        var rank: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .high: 2
            }
        }

        public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rank < rhs.rank }
    }

    /// One line of the file.
    public struct Rule: @unchecked Sendable {
        public var kind: Kind
        public var vendor: String
        public var product: String
        /// A model written in the product column after `=`.
        public var fixedModel: String?
        public var role: Role
        public var pattern: String
        public var confidence: Confidence
        public var source: String
        let regex: NSRegularExpression
    }

    /// What the file says wrong, with its line.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var origin: String
        public var line: Int
        public var message: String
        public var description: String { line > 0 ? "\(origin):\(line): \(message)" : "\(origin): \(message)" }
    }

    public private(set) var rules: [Rule]

    public static let shippedFile = ShippedDataFile(name: "device-fingerprints.txt", target: "TollgateAudit",
                                                    environmentOverride: "TOLLGATE_DEVICE_FINGERPRINTS")

    /// The shipped file.
    public static func shipped() throws(FormatError) -> DeviceFingerprints {
        switch shippedFile.locate().flatMap({ ShippedDataFile.read($0, kind: "device fingerprint file") }) {
        case .success(let text): return try DeviceFingerprints(text: text, origin: shippedFile.name)
        case .failure(let error): throw FormatError(origin: error.origin, line: 0, message: error.message)
        }
    }

    /// Reads rules from the file's text.
    public init(text: String, origin: String = "fingerprints") throws(FormatError) {
        var rules: [Rule] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let fields = line.components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
            func fail(_ message: String) -> FormatError { FormatError(origin: origin, line: offset + 1, message: message) }
            guard fields.count == 7 else { throw fail("expected 7 columns separated by \" | \", found \(fields.count)") }
            guard let kind = Kind(rawValue: fields[0]) else { throw fail("unknown kind \(fields[0])") }
            guard let role = Role(rawValue: fields[3]) else { throw fail("unknown role \(fields[3])") }
            guard let confidence = Confidence(rawValue: fields[5]) else { throw fail("unknown confidence \(fields[5])") }
            guard !fields[1].isEmpty, !fields[2].isEmpty else { throw fail("a vendor and a product are needed") }
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: fields[4], options: kind == .header || kind == .realm ? [.caseInsensitive] : [])
            } catch {
                throw fail("the pattern is not a regular expression: \(fields[4])")
            }
            let productParts = fields[2].split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            rules.append(Rule(kind: kind, vendor: fields[1], product: productParts[0], fixedModel: productParts.count > 1 ? productParts[1] : nil,
                              role: role, pattern: fields[4], confidence: confidence, source: fields[6], regex: regex))
        }
        self.rules = rules
    }

    /// Who a device is, from what it announced: its User-Agent or Server first, then the shapes
    /// that survive a hidden version (To-tag, realm, headers). Nil when nothing matches.
    public func identify(userAgent: String? = nil, server: String? = nil, toTag: String? = nil, realm: String? = nil,
                         headerNames: [String] = [], allow: String? = nil) -> DeviceIdentity? {
        for announced in [userAgent, server].compactMap({ $0?.trimmingCharacters(in: .whitespaces) }) where !announced.isEmpty {
            for rule in rules where rule.kind == .userAgent {
                if let identity = Self.match(rule, announced) { return identity }
            }
        }
        // Allow is compared with its methods in order, upper-cased and joined by ", ".
        let methods = allow.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.joined(separator: ", ") }
        let others: [(Kind, [String])] = [(.toTag, toTag.map { [$0] } ?? []), (.realm, realm.map { [$0] } ?? []), (.header, headerNames),
                                          (.allow, methods.map { [$0] } ?? [])]
        for (kind, values) in others {
            for value in values {
                for rule in rules where rule.kind == kind {
                    if let identity = Self.match(rule, value) { return identity }
                }
            }
        }
        return nil
    }

    private static func match(_ rule: Rule, _ text: String) -> DeviceIdentity? {
        let range = NSRange(text.startIndex..., in: text)
        guard let result = rule.regex.firstMatch(in: text, range: range) else { return nil }
        func group(_ name: String) -> String? {
            let captured = result.range(withName: name)
            guard captured.location != NSNotFound, let swiftRange = Range(captured, in: text) else { return nil }
            let value = text[swiftRange].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        let model = rule.pattern.contains("(?<model>") ? group("model") : rule.fixedModel
        let firmware = rule.pattern.contains("(?<firmware>") ? group("firmware") : nil
        return DeviceIdentity(vendor: rule.vendor, product: rule.product, model: model ?? rule.fixedModel, firmware: firmware, role: rule.role,
                              confidence: rule.confidence, source: rule.source)
    }
}
