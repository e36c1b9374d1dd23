import Foundation

/// A PASSporT (RFC 8225) read from a JWS in compact form: its protected header, its claims, the
/// bytes its signature covers and the signature. Reading checks shape only; ``PassportVerifier``
/// decides whether to believe it.
public struct Passport: Sendable, Hashable {
    /// The protected header: `alg`, `typ`, `ppt`, `x5u`.
    public struct Header: Sendable, Hashable, Codable {
        public var alg: String?
        public var typ: String?
        public var ppt: String?
        public var x5u: String?
    }

    /// The claims SHAKEN and diversion use.
    public struct Claims: Sendable, Hashable {
        public var attest: String?
        public var orig: String?
        public var dest: [String]
        public var iat: Int64?
        public var origid: String?
        /// The diverting number of a `div` PASSporT (RFC 8946).
        public var div: String?
    }

    public var header: Header
    public var claims: Claims
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    public var signingInput: String
    public var signature: [UInt8]

    /// Reads `header.payload.signature`. An empty payload is the compact form, which Tollgate refuses.
    public init(compact token: String) throws(IdentityFailure) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedPassport }
        guard !parts[1].isEmpty else { throw .compactForm }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2])
        else { throw .malformedPassport }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else { throw .malformedPassport }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(payloadBytes)) else { throw .malformedPassport }
        self.header = header
        self.claims = Claims(attest: payload.attest, orig: payload.orig?.tn.first, dest: payload.dest?.tn ?? [], iat: payload.iat,
                             origid: payload.origid, div: payload.div?.tn.first)
        self.signingInput = String(parts[0]) + "." + String(parts[1])
        self.signature = signature
    }

    /// The payload as JSON has it; a claim of the wrong type makes the whole PASSporT malformed.
    private struct Payload: Decodable {
        /// `{"tn": "…"}` or `{"tn": ["…", …]}`.
        struct Numbers: Decodable {
            var tn: [String]

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                if let one = try? container.decode(String.self, forKey: .tn) {
                    tn = [one]
                } else {
                    tn = try container.decodeIfPresent([String].self, forKey: .tn) ?? []
                }
            }

            enum CodingKeys: String, CodingKey { case tn }
        }

        var attest: String?
        var orig: Numbers?
        var dest: Numbers?
        var iat: Int64?
        var origid: String?
        var div: Numbers?
    }
}
