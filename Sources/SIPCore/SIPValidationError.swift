/// The rule a parsed message breaks, which makes it unfit to forward.
///
/// Each error names a stable ``Rule`` (for logs, metrics and `tollgate sip lint`), the header
/// involved, the byte offset where known, and the status a proxy should answer a request with.
public struct SIPValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rules ``SIPMessage/validate(_:)`` checks.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        case versionNotSupported = "version-not-supported"
        case missingHeader = "missing-header"
        case multipleValues = "multiple-values"
        case malformedHeader = "malformed-header"
        case malformedRequestURI = "malformed-request-uri"
        case unsupportedURIScheme = "unsupported-uri-scheme"
        case headersInRequestURI = "headers-in-request-uri"
        case invalidVia = "invalid-via"
        case cseqMethodMismatch = "cseq-method-mismatch"
        case tooManyHops = "too-many-hops"
        case invalidContact = "invalid-contact"
        case contentLengthMismatch = "content-length-mismatch"
        case missingContentType = "missing-content-type"
        case malformedBody = "malformed-body"
        case badExtension = "bad-extension"
        case controlCharacter = "control-character"
        case hostileContent = "hostile-content"
    }

    public var rule: Rule
    /// The header the rule concerns, if any.
    public var header: SIPHeaderName?
    /// Byte offset of the fault in the message, where known.
    public var offset: Int?
    /// What is wrong, for a person.
    public var detail: String
    /// The final response a proxy sends for a request breaking this rule (RFC 3261 §16.3, §8.2.2).
    public var status: Int
    /// For ``Rule/badExtension``: the option tags to list in Unsupported.
    public var unsupportedTags: [String]

    public init(_ rule: Rule, header: SIPHeaderName? = nil, offset: Int? = nil, detail: String, status: Int = 400,
                unsupportedTags: [String] = []) {
        self.rule = rule
        self.header = header
        self.offset = offset
        self.detail = detail
        self.status = status
        self.unsupportedTags = unsupportedTags
    }

    public var description: String {
        var out = rule.rawValue
        if let header { out += " (\(header))" }
        out += ": \(detail)"
        if let offset { out += " at byte \(offset)" }
        return out
    }
}

/// What ``SIPMessage/validate(_:)`` accepts.
public struct SIPValidationOptions: Sendable, Hashable {
    /// Request-URI schemes that may be routed; others get 416. Default sip, sips, tel.
    public var routableSchemes: Set<String>
    /// Option tags this element supports in Proxy-Require; others get 420. Default none.
    public var supportedProxyExtensions: Set<String>
    /// Whether the message is about to be forwarded: a request with Max-Forwards 0 then gets 483.
    public var forwarding: Bool
    /// Whether SDP bodies are parsed and checked. Default on.
    public var checksSDP: Bool
    /// Whether values are screened for attack payloads (overlong values, printf directives,
    /// bytes that are not UTF-8). Default on.
    public var screensHostileContent: Bool
    /// Longest header value or SDP line accepted when screening. Default 1024 bytes, above the
    /// longest value in RFC 4475's long-values test (about 600 bytes).
    public var maximumValueLength: Int

    public init(routableSchemes: Set<String> = ["sip", "sips", "tel"], supportedProxyExtensions: Set<String> = [],
                forwarding: Bool = true, checksSDP: Bool = true, screensHostileContent: Bool = true,
                maximumValueLength: Int = 1024) {
        self.routableSchemes = routableSchemes
        self.supportedProxyExtensions = supportedProxyExtensions
        self.forwarding = forwarding
        self.checksSDP = checksSDP
        self.screensHostileContent = screensHostileContent
        self.maximumValueLength = maximumValueLength
    }

    /// What a proxy checks before forwarding.
    public static let proxy = SIPValidationOptions()
}
