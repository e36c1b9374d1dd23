/// The name of a SIP header field.
///
/// Names compare case-insensitively, and a compact form equals its long form
/// (`"v" == .via`, RFC 3261 §7.3.3). Headers that SIPCore knows carry a ``Known`` tag so that
/// lookups on the hot path compare one byte instead of a string.
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Header fields with a typed view or a role in framing, routing or security.
    public enum Known: UInt8, Sendable, CaseIterable {
        case accept, acceptEncoding, acceptLanguage, alertInfo, allow, authenticationInfo, authorization
        case callID, callInfo, contact, contentDisposition, contentEncoding, contentLanguage, contentLength
        case contentType, cseq, date, errorInfo, event, expires, from, inReplyTo, maxForwards, minExpires
        case mimeVersion, organization, path, pAssertedIdentity, pPreferredIdentity, priority, privacy
        case proxyAuthenticate, proxyAuthorization, proxyRequire, rack, reason, recordRoute, referTo
        case referredBy, replyTo, require, retryAfter, route, rseq, server, sessionExpires, subject
        case subscriptionState, supported, timestamp, to, unsupported, userAgent, via, warning
        case wwwAuthenticate, allowEvents, identity

        /// The number of known headers (raw values run from 0 to `caseCount - 1`).
        static let caseCount = allCases.count

        /// The canonical spelling (RFC 3261 §20 and the extension RFCs).
        public var canonicalName: String {
            switch self {
            case .accept: "Accept"
            case .acceptEncoding: "Accept-Encoding"
            case .acceptLanguage: "Accept-Language"
            case .alertInfo: "Alert-Info"
            case .allow: "Allow"
            case .allowEvents: "Allow-Events"
            case .authenticationInfo: "Authentication-Info"
            case .authorization: "Authorization"
            case .callID: "Call-ID"
            case .callInfo: "Call-Info"
            case .contact: "Contact"
            case .contentDisposition: "Content-Disposition"
            case .contentEncoding: "Content-Encoding"
            case .contentLanguage: "Content-Language"
            case .contentLength: "Content-Length"
            case .contentType: "Content-Type"
            case .cseq: "CSeq"
            case .date: "Date"
            case .errorInfo: "Error-Info"
            case .event: "Event"
            case .expires: "Expires"
            case .from: "From"
            case .identity: "Identity"
            case .inReplyTo: "In-Reply-To"
            case .maxForwards: "Max-Forwards"
            case .minExpires: "Min-Expires"
            case .mimeVersion: "MIME-Version"
            case .organization: "Organization"
            case .path: "Path"
            case .pAssertedIdentity: "P-Asserted-Identity"
            case .pPreferredIdentity: "P-Preferred-Identity"
            case .priority: "Priority"
            case .privacy: "Privacy"
            case .proxyAuthenticate: "Proxy-Authenticate"
            case .proxyAuthorization: "Proxy-Authorization"
            case .proxyRequire: "Proxy-Require"
            case .rack: "RAck"
            case .reason: "Reason"
            case .recordRoute: "Record-Route"
            case .referTo: "Refer-To"
            case .referredBy: "Referred-By"
            case .replyTo: "Reply-To"
            case .require: "Require"
            case .retryAfter: "Retry-After"
            case .route: "Route"
            case .rseq: "RSeq"
            case .server: "Server"
            case .sessionExpires: "Session-Expires"
            case .subject: "Subject"
            case .subscriptionState: "Subscription-State"
            case .supported: "Supported"
            case .timestamp: "Timestamp"
            case .to: "To"
            case .unsupported: "Unsupported"
            case .userAgent: "User-Agent"
            case .via: "Via"
            case .warning: "Warning"
            case .wwwAuthenticate: "WWW-Authenticate"
            }
        }

        /// The compact form (RFC 3261 §7.3.3 and extensions), if the header has one.
        public var compactForm: String? {
            switch self {
            case .callID: "i"
            case .contact: "m"
            case .contentEncoding: "e"
            case .contentLength: "l"
            case .contentType: "c"
            case .event: "o"
            case .from: "f"
            case .referTo: "r"
            case .referredBy: "b"
            case .sessionExpires: "x"
            case .subject: "s"
            case .supported: "k"
            case .to: "t"
            case .via: "v"
            case .allowEvents: "u"
            case .identity: "y"
            default: nil
            }
        }

        /// Whether several values of this header may be combined in one field, separated by commas
        /// (RFC 3261 §7.3.1). Values of other headers are never split: a comma in them is data.
        public var isCommaSeparatedList: Bool {
            switch self {
            case .accept, .acceptEncoding, .acceptLanguage, .alertInfo, .allow, .allowEvents, .callInfo,
                .contact, .contentEncoding, .contentLanguage, .errorInfo, .inReplyTo, .path,
                .pAssertedIdentity, .pPreferredIdentity, .privacy, .proxyRequire, .reason, .recordRoute,
                .require, .route, .supported, .unsupported, .via, .warning:
                true
            default:
                false
            }
        }

        /// Whether a well-formed message carries at most one value of this header.
        public var isSingleValued: Bool {
            switch self {
            case .callID, .contentLength, .contentType, .cseq, .date, .expires, .from, .maxForwards,
                .minExpires, .mimeVersion, .rack, .replyTo, .retryAfter, .rseq, .sessionExpires,
                .subscriptionState, .timestamp, .to, .referTo, .referredBy, .event, .contentDisposition:
                true
            default:
                false
            }
        }

        static let byLowercasedName: [String: Known] = {
            var map: [String: Known] = [:]
            for known in Known.allCases {
                map[known.canonicalName.lowercased()] = known
                if let compact = known.compactForm { map[compact] = known }
            }
            return map
        }()

        /// Looks a header name up from raw bytes, case-insensitively, including compact forms.
        static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Known? {
            // A switch on length and first letter settles nearly all names without hashing.
            let count = bytes.count
            guard count > 0 else { return nil }
            let first = SIPCharacterClass.lowercased(bytes[0])
            @inline(__always) func matches(_ literal: StaticString, _ known: Known) -> Known? {
                guard literal.utf8CodeUnitCount == count else { return nil }
                let pointer = literal.utf8Start
                for index in 0..<count where SIPCharacterClass.lowercased(bytes[index]) != pointer[index] {
                    return nil
                }
                return known
            }
            if count == 1 {
                switch first {
                case UInt8(ascii: "i"): return .callID
                case UInt8(ascii: "m"): return .contact
                case UInt8(ascii: "e"): return .contentEncoding
                case UInt8(ascii: "l"): return .contentLength
                case UInt8(ascii: "c"): return .contentType
                case UInt8(ascii: "o"): return .event
                case UInt8(ascii: "f"): return .from
                case UInt8(ascii: "r"): return .referTo
                case UInt8(ascii: "b"): return .referredBy
                case UInt8(ascii: "x"): return .sessionExpires
                case UInt8(ascii: "s"): return .subject
                case UInt8(ascii: "k"): return .supported
                case UInt8(ascii: "t"): return .to
                case UInt8(ascii: "v"): return .via
                case UInt8(ascii: "u"): return .allowEvents
                case UInt8(ascii: "y"): return .identity
                default: return nil
                }
            }
            switch first {
            case UInt8(ascii: "v"): return matches("via", .via)
            case UInt8(ascii: "f"): return matches("from", .from)
            case UInt8(ascii: "t"): return matches("to", .to) ?? matches("timestamp", .timestamp)
            case UInt8(ascii: "c"):
                return matches("call-id", .callID) ?? matches("cseq", .cseq) ?? matches("contact", .contact)
                    ?? matches("content-length", .contentLength) ?? matches("content-type", .contentType)
                    ?? matches("call-info", .callInfo) ?? matches("content-disposition", .contentDisposition)
                    ?? matches("content-encoding", .contentEncoding)
                    ?? matches("content-language", .contentLanguage)
            case UInt8(ascii: "m"):
                return matches("max-forwards", .maxForwards) ?? matches("min-expires", .minExpires)
                    ?? matches("mime-version", .mimeVersion)
            case UInt8(ascii: "r"):
                return matches("route", .route) ?? matches("record-route", .recordRoute)
                    ?? matches("require", .require) ?? matches("refer-to", .referTo)
                    ?? matches("referred-by", .referredBy) ?? matches("reply-to", .replyTo)
                    ?? matches("retry-after", .retryAfter) ?? matches("reason", .reason)
                    ?? matches("rack", .rack) ?? matches("rseq", .rseq)
            case UInt8(ascii: "a"):
                return matches("allow", .allow) ?? matches("authorization", .authorization)
                    ?? matches("accept", .accept) ?? matches("allow-events", .allowEvents)
                    ?? matches("accept-encoding", .acceptEncoding) ?? matches("accept-language", .acceptLanguage)
                    ?? matches("alert-info", .alertInfo) ?? matches("authentication-info", .authenticationInfo)
            case UInt8(ascii: "e"):
                return matches("expires", .expires) ?? matches("event", .event) ?? matches("error-info", .errorInfo)
            case UInt8(ascii: "u"):
                return matches("user-agent", .userAgent) ?? matches("unsupported", .unsupported)
            case UInt8(ascii: "s"):
                return matches("supported", .supported) ?? matches("server", .server)
                    ?? matches("subject", .subject) ?? matches("session-expires", .sessionExpires)
                    ?? matches("subscription-state", .subscriptionState)
            case UInt8(ascii: "p"):
                return matches("proxy-authorization", .proxyAuthorization)
                    ?? matches("proxy-authenticate", .proxyAuthenticate) ?? matches("proxy-require", .proxyRequire)
                    ?? matches("p-asserted-identity", .pAssertedIdentity)
                    ?? matches("p-preferred-identity", .pPreferredIdentity) ?? matches("path", .path)
                    ?? matches("priority", .priority) ?? matches("privacy", .privacy)
            case UInt8(ascii: "w"): return matches("www-authenticate", .wwwAuthenticate) ?? matches("warning", .warning)
            case UInt8(ascii: "d"): return matches("date", .date)
            case UInt8(ascii: "i"): return matches("in-reply-to", .inReplyTo) ?? matches("identity", .identity)
            case UInt8(ascii: "o"): return matches("organization", .organization)
            default: return nil
            }
        }
    }

    /// The header's tag if SIPCore knows it.
    public let known: Known?
    /// The name as it should be written: the canonical spelling of a known header, else as given.
    public let text: String
    @usableFromInline let key: String

    /// A header name from its text; compact and long forms of a known header give equal names.
    public init(_ text: String) {
        let lowered = text.lowercased()
        if let known = Known.byLowercasedName[lowered] {
            self.init(known: known, text: known.canonicalName, key: "")
        } else {
            self.init(known: nil, text: text, key: lowered)
        }
    }

    /// The name of a known header.
    public init(_ known: Known) {
        self.init(known: known, text: known.canonicalName, key: "")
    }

    private init(known: Known?, text: String, key: String) {
        self.known = known
        self.text = text
        self.key = key
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { text }

    public static func == (lhs: SIPHeaderName, rhs: SIPHeaderName) -> Bool {
        lhs.known == rhs.known && lhs.key == rhs.key
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(known)
        hasher.combine(key)
    }
}

extension SIPHeaderName {
    public static let via = SIPHeaderName(.via)
    public static let from = SIPHeaderName(.from)
    public static let to = SIPHeaderName(.to)
    public static let callID = SIPHeaderName(.callID)
    public static let cseq = SIPHeaderName(.cseq)
    public static let maxForwards = SIPHeaderName(.maxForwards)
    public static let contact = SIPHeaderName(.contact)
    public static let route = SIPHeaderName(.route)
    public static let recordRoute = SIPHeaderName(.recordRoute)
    public static let contentLength = SIPHeaderName(.contentLength)
    public static let contentType = SIPHeaderName(.contentType)
    public static let expires = SIPHeaderName(.expires)
    public static let authorization = SIPHeaderName(.authorization)
    public static let proxyAuthorization = SIPHeaderName(.proxyAuthorization)
    public static let wwwAuthenticate = SIPHeaderName(.wwwAuthenticate)
    public static let proxyAuthenticate = SIPHeaderName(.proxyAuthenticate)
    public static let userAgent = SIPHeaderName(.userAgent)
    public static let server = SIPHeaderName(.server)
    public static let allow = SIPHeaderName(.allow)
    public static let supported = SIPHeaderName(.supported)
    public static let require = SIPHeaderName(.require)
    public static let proxyRequire = SIPHeaderName(.proxyRequire)
    public static let unsupported = SIPHeaderName(.unsupported)
    public static let path = SIPHeaderName(.path)
    public static let date = SIPHeaderName(.date)
    public static let subject = SIPHeaderName(.subject)
    public static let pAssertedIdentity = SIPHeaderName(.pAssertedIdentity)
    /// RFC 8224: a signed PASSporT about the caller (compact form `y`).
    public static let identity = SIPHeaderName(.identity)
}
