/// One Identity header field value (RFC 8224 §4.1):
/// `signed-identity-digest ;info=<absoluteURI> *(;alg=token / ;ppt=token / ;ext)`.
public struct IdentityHeader: Sendable, Hashable {
    /// The JWS in compact serialisation: `header.payload.signature` (base64url parts).
    public var token: String
    /// The `info` URI, without its angle brackets.
    public var info: String?
    /// The `alg` parameter, when present.
    public var algorithm: String?
    /// The `ppt` parameter, when present.
    public var passportType: String?

    public init(token: String, info: String?, algorithm: String? = nil, passportType: String? = nil) {
        self.token = token
        self.info = info
        self.algorithm = algorithm
        self.passportType = passportType
    }

    /// Parses a header value; throws ``IdentityFailure/malformedHeader`` when it is not one.
    public init(parsing text: String) throws(IdentityFailure) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let tokenEnd = trimmed.firstIndex(of: ";") ?? trimmed.endIndex
        let token = trimmed[..<tokenEnd].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.allSatisfy(Self.isTokenByte) else { throw .malformedHeader }
        self.token = token
        var rest = trimmed[tokenEnd...]
        while let first = rest.first, first == ";" {
            rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
            guard let equals = rest.firstIndex(of: "=") else { throw .malformedHeader }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
            let value: String
            if rest.first == "<" {
                guard let close = rest.firstIndex(of: ">") else { throw .malformedHeader }
                value = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            } else if rest.first == "\"" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(of: "\"") else { throw .malformedHeader }
                value = String(body[..<close])
                rest = body[body.index(after: close)...]
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard !name.isEmpty else { throw .malformedHeader }
            switch name {
            case "info": info = value
            case "alg": algorithm = value
            case "ppt": passportType = value
            default: break
            }
        }
        guard rest.isEmpty else { throw .malformedHeader }
    }

    /// base64url characters and the dots between the JWS parts.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}
