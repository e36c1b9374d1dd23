/// An SDP security description attribute (RFC 4568):
/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]`.
///
/// Only the `inline` key method is accepted when parsing. For the crypto
/// suites whose key and salt sizes are known (see ``expectedKeySaltLength(for:)``)
/// every inline key must decode to exactly that many bytes.
public struct SDPCrypto: Sendable, Hashable {
    /// The tag identifying this crypto attribute within a media section
    /// (1–9 decimal digits).
    public var tag: UInt32
    /// The crypto suite, for example `AES_CM_128_HMAC_SHA1_80`.
    public var suite: String
    /// One or more key parameters (separated by `;` on the wire).
    public var keyParams: [SDPKeyParam]
    /// Session parameters such as `KDR=1` or `UNENCRYPTED_SRTCP`, kept raw.
    public var sessionParams: [String]

    /// Creates a crypto attribute.
    ///
    /// - Parameters:
    ///   - tag: The tag (at most 999 999 999).
    ///   - suite: The crypto suite name.
    ///   - keyParams: One or more key parameters.
    ///   - sessionParams: Optional session parameters.
    public init(tag: UInt32, suite: String, keyParams: [SDPKeyParam], sessionParams: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keyParams = keyParams
        self.sessionParams = sessionParams
    }

    /// Creates a crypto attribute with a single `inline` key, base64-encoding
    /// the concatenated master key and salt.
    ///
    /// - Parameters:
    ///   - tag: The tag (at most 999 999 999).
    ///   - suite: The crypto suite name.
    ///   - keySalt: The master key followed by the master salt.
    ///   - lifetime: An optional key lifetime such as `2^31`.
    ///   - mki: An optional master key identifier.
    ///   - sessionParams: Optional session parameters.
    public init(
        tag: UInt32,
        suite: String,
        keySalt: [UInt8],
        lifetime: String? = nil,
        mki: SDPKeyParam.MKI? = nil,
        sessionParams: [String] = []
    ) {
        self.init(
            tag: tag,
            suite: suite,
            keyParams: [SDPKeyParam(keySalt: SDPBase64.encode(keySalt), lifetime: lifetime, mki: mki)],
            sessionParams: sessionParams
        )
    }

    /// Parses the value of an `a=crypto` attribute (the text after `crypto:`),
    /// returning `nil` if it is malformed.
    public init?(attributeValue: String) {
        guard let crypto = SDPCrypto.parse(ArraySlice(attributeValue.utf8)) else { return nil }
        self = crypto
    }

    /// The decoded master key and salt of the first key parameter, or `nil`
    /// if there is none or it is not valid base64.
    public var keyAndSalt: [UInt8]? {
        self.keyParams.first?.keyAndSalt
    }

    /// The attribute value (the text after `a=crypto:`).
    public var attributeValue: String {
        var text = "\(self.tag) \(self.suite) "
        text += self.keyParams.map(\.text).joined(separator: ";")
        for parameter in self.sessionParams {
            text += " \(parameter)"
        }
        return text
    }

    /// The attribute for this crypto description.
    public var attribute: SDPAttribute {
        SDPAttribute(name: "crypto", value: self.attributeValue)
    }

    /// The length in bytes of the concatenated master key and salt for the
    /// crypto suites registered by RFC 4568, RFC 6188 and RFC 7714, or `nil`
    /// for an unknown suite.
    public static func expectedKeySaltLength(for suite: String) -> Int? {
        switch suite {
        case "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "F8_128_HMAC_SHA1_80":
            return 16 + 14
        case "AES_192_CM_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_32":
            return 24 + 14
        case "AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32":
            return 32 + 14
        case "AEAD_AES_128_GCM":
            return 16 + 12
        case "AEAD_AES_256_GCM":
            return 32 + 12
        default:
            return nil
        }
    }

    /// Parses `<tag> 1*WSP <suite> 1*WSP <key-params> *(1*WSP <session-param>)`.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPCrypto? {
        let fields = value.split(whereSeparator: SDPSyntax.isWhitespace)
        guard fields.count >= 3,
            fields[0].count <= 9,
            let tag = SDPSyntax.decimal(fields[0], as: UInt32.self),
            !fields[1].isEmpty,
            fields[1].allSatisfy({ SDPSyntax.isAlphanumeric($0) || $0 == UInt8(ascii: "_") })
        else { return nil }
        let suite = SDPSyntax.string(fields[1])

        var keyParams: [SDPKeyParam] = []
        for field in fields[2].split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            guard let keyParam = SDPKeyParam.parse(field) else { return nil }
            if let expected = expectedKeySaltLength(for: suite), keyParam.keyAndSalt?.count != expected {
                return nil
            }
            keyParams.append(keyParam)
        }
        // Session parameters are whitespace-free visible text; the line
        // scanner has already rejected control characters.
        let sessionParams = fields.dropFirst(3).map(SDPSyntax.string)
        return SDPCrypto(tag: tag, suite: suite, keyParams: keyParams, sessionParams: sessionParams)
    }
}

/// One key parameter of an ``SDPCrypto`` attribute:
/// `inline:<key||salt base64>[|<lifetime>][|<mki value>:<mki length>]`.
public struct SDPKeyParam: Sendable, Hashable {
    /// A master key identifier: `<value>:<length>` (RFC 4568 §6.1).
    public struct MKI: Sendable, Hashable {
        /// The MKI value.
        public var value: UInt64
        /// The MKI length in bytes on the wire, 1–128.
        public var length: UInt8

        /// Creates a master key identifier.
        ///
        /// - Parameters:
        ///   - value: The MKI value.
        ///   - length: The MKI length in bytes (1–128).
        public init(value: UInt64, length: UInt8) {
            self.value = value
            self.length = length
        }
    }

    /// The key method; always `inline` for parsed attributes.
    public var method: String
    /// The base64-encoded concatenation of master key and master salt.
    public var keySalt: String
    /// The optional master key lifetime, raw (`2^20` or a decimal number).
    public var lifetime: String?
    /// The optional master key identifier.
    public var mki: MKI?

    /// Creates a key parameter.
    ///
    /// - Parameters:
    ///   - method: The key method, `inline` by default.
    ///   - keySalt: The base64-encoded key and salt.
    ///   - lifetime: An optional lifetime such as `2^20`.
    ///   - mki: An optional master key identifier.
    public init(method: String = "inline", keySalt: String, lifetime: String? = nil, mki: MKI? = nil) {
        self.method = method
        self.keySalt = keySalt
        self.lifetime = lifetime
        self.mki = mki
    }

    /// The decoded master key and salt, or `nil` if ``keySalt`` is not valid base64.
    public var keyAndSalt: [UInt8]? {
        SDPBase64.decode(self.keySalt)
    }

    /// The wire form of this key parameter.
    public var text: String {
        var text = "\(self.method):\(self.keySalt)"
        if let lifetime = self.lifetime {
            text += "|\(lifetime)"
        }
        if let mki = self.mki {
            text += "|\(mki.value):\(mki.length)"
        }
        return text
    }

    /// Parses `inline:<key-salt>[|<lifetime>][|<mki>:<length>]`.
    static func parse(_ value: ArraySlice<UInt8>) -> SDPKeyParam? {
        guard let colon = value.firstIndex(of: SDPSyntax.colon) else { return nil }
        let method = value[value.startIndex..<colon]
        // ABNF literals are case-insensitive.
        guard method.count == 6,
            method.lazy.map(SDPSyntax.lowercased).elementsEqual("inline".utf8)
        else { return nil }

        let parts = value[(colon + 1)...].split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count <= 3,
            !parts[0].isEmpty,
            SDPBase64.decode(bytes: parts[0]) != nil
        else { return nil }

        var lifetime: String?
        var mki: MKI?
        for part in parts.dropFirst() {
            if let mkiColon = part.firstIndex(of: SDPSyntax.colon) {
                // The MKI comes last and only once.
                guard mki == nil,
                    let mkiValue = SDPSyntax.decimal(part[part.startIndex..<mkiColon], as: UInt64.self),
                    part.distance(from: mkiColon, to: part.endIndex) <= 4,
                    let length = SDPSyntax.decimal(part[(mkiColon + 1)...], as: UInt8.self),
                    (1...128).contains(length)
                else { return nil }
                mki = MKI(value: mkiValue, length: length)
            } else {
                guard lifetime == nil, mki == nil, Self.isValidLifetime(part) else { return nil }
                lifetime = SDPSyntax.string(part)
            }
        }
        return SDPKeyParam(
            method: SDPSyntax.string(method),
            keySalt: SDPSyntax.string(parts[0]),
            lifetime: lifetime,
            mki: mki
        )
    }

    /// `lifetime = ["2^"] 1*(DIGIT)`: a decimal fitting in 64 bits, or a power
    /// of two with an exponent of at most 64.
    private static func isValidLifetime(_ value: ArraySlice<UInt8>) -> Bool {
        if value.starts(with: "2^".utf8) {
            guard let exponent = SDPSyntax.decimal(value.dropFirst(2), as: UInt8.self) else { return false }
            return exponent <= 64
        }
        return SDPSyntax.decimal(value, as: UInt64.self) != nil
    }
}
