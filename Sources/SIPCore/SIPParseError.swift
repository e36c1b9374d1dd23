/// Why a byte sequence is not a SIP message, and where it goes wrong.
///
/// `offset` is the byte offset of the fault from the start of the parsed bytes (or of the header
/// value, for errors from a typed header view, where ``header`` names the field).
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule of RFC 3261's grammar or of Tollgate's limits that the input breaks.
    public enum Reason: Sendable, Hashable {
        case empty
        case messageTooLarge(limit: Int)
        case tooManyHeaders(limit: Int)
        case malformedStartLine
        case malformedMethod
        case malformedRequestURI
        case malformedVersion
        case malformedStatusCode
        case malformedReasonPhrase
        case headerSectionNotTerminated
        case malformedHeaderName
        case missingColon
        case unexpectedContinuationLine
        case malformedContentLength
        case conflictingContentLength
        case bodyTruncated(declared: Int, available: Int)
        case controlCharacter
        /// A typed header view could not read the value.
        case malformedHeaderValue(String)
        case malformedURI(String)
    }

    /// The rule broken.
    public var reason: Reason
    /// Byte offset of the fault.
    public var offset: Int
    /// The header whose value was being read, for typed-view errors.
    public var header: SIPHeaderName?

    public init(_ reason: Reason, offset: Int, header: SIPHeaderName? = nil) {
        self.reason = reason
        self.offset = offset
        self.header = header
    }

    /// A short, stable identifier of the rule, for logs, metrics and `sip lint`.
    public var rule: String {
        switch reason {
        case .empty: "empty-message"
        case .messageTooLarge: "message-too-large"
        case .tooManyHeaders: "too-many-headers"
        case .malformedStartLine: "malformed-start-line"
        case .malformedMethod: "malformed-method"
        case .malformedRequestURI: "malformed-request-uri"
        case .malformedVersion: "malformed-version"
        case .malformedStatusCode: "malformed-status-code"
        case .malformedReasonPhrase: "malformed-reason-phrase"
        case .headerSectionNotTerminated: "header-section-not-terminated"
        case .malformedHeaderName: "malformed-header-name"
        case .missingColon: "missing-colon"
        case .unexpectedContinuationLine: "unexpected-continuation-line"
        case .malformedContentLength: "malformed-content-length"
        case .conflictingContentLength: "conflicting-content-length"
        case .bodyTruncated: "body-truncated"
        case .controlCharacter: "control-character"
        case .malformedHeaderValue: "malformed-header-value"
        case .malformedURI: "malformed-uri"
        }
    }

    /// What is wrong, without the offset.
    public var detail: String {
        let what: String
        switch reason {
        case .empty: what = "no message: the input is empty or only line breaks"
        case .messageTooLarge(let limit): what = "message exceeds the limit of \(limit) bytes"
        case .tooManyHeaders(let limit): what = "more than \(limit) header fields"
        case .malformedStartLine: what = "start line is neither 'METHOD URI SIP/2.0' nor 'SIP/2.0 CODE REASON'"
        case .malformedMethod: what = "method is not a token"
        case .malformedRequestURI: what = "Request-URI is not an absolute URI (scheme:...), or contains spaces or brackets"
        case .malformedVersion: what = "SIP version is not 'SIP/<digits>.<digits>'"
        case .malformedStatusCode: what = "status code is not three digits from 100 to 699"
        case .malformedReasonPhrase: what = "reason phrase contains control characters"
        case .headerSectionNotTerminated: what = "header section does not end with an empty line"
        case .malformedHeaderName: what = "header name is not a token"
        case .missingColon: what = "header line has no ':' after the name"
        case .unexpectedContinuationLine: what = "continuation line with no header before it"
        case .malformedContentLength: what = "Content-Length is not a non-negative decimal number"
        case .conflictingContentLength: what = "several Content-Length values"
        case .bodyTruncated(let declared, let available):
            what = "Content-Length declares \(declared) bytes but only \(available) follow"
        case .controlCharacter: what = "control character in a header line"
        case .malformedHeaderValue(let detail): what = detail
        case .malformedURI(let detail): what = "malformed URI: \(detail)"
        }
        if let header { return "\(header): \(what)" }
        return what
    }

    public var description: String { "\(detail) (at byte \(offset))" }
}
