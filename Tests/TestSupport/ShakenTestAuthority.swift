import Crypto
import Foundation
import SwiftASN1
import TollgateIdentity
import X509

/// A STIR/SHAKEN certificate authority minted for tests: a root, an optional intermediate and a
/// leaf carrying a TNAuthList, and PASSporTs signed with the leaf's key — valid ones, and every way
/// of getting one wrong.
public struct ShakenTestAuthority {
    public let rootKey: P256.Signing.PrivateKey
    public let root: Certificate
    public let intermediate: Certificate?
    public let leafKey: P256.Signing.PrivateKey
    public let leaf: Certificate

    /// - Parameters:
    ///   - leafValidity: when the leaf is valid (default: an hour either side of now).
    ///   - tnAuthList: the leaf's TNAuthList; nil leaves it out.
    public init(name: String = "Tollgate test STI-CA", withIntermediate: Bool = true, leafValidity: ClosedRange<Date>? = nil,
                tnAuthList: TNAuthList? = TNAuthList([.serviceProviderCode("707H")]), leafKey: P256.Signing.PrivateKey = .init()) throws {
        let now = Date()
        let rootKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName { CommonName(name) }
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(86_400 * 365),
            issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 1))
                Critical(KeyUsage(keyCertSign: true))
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: rootKey.publicKey.derRepresentation)))
            },
            issuerPrivateKey: .init(rootKey))
        self.rootKey = rootKey
        var issuerKey = rootKey
        var issuerName = rootName
        if withIntermediate {
            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName { CommonName("\(name) intermediate") }
            intermediate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(86_400 * 180),
                issuer: rootName, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true))
                    AuthorityKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: rootKey.publicKey.derRepresentation)))
                    SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: key.publicKey.derRepresentation)))
                },
                issuerPrivateKey: .init(rootKey))
            issuerKey = key
            issuerName = subject
        } else {
            intermediate = nil
        }
        let validity = leafValidity ?? now.addingTimeInterval(-3_600)...now.addingTimeInterval(3_600)
        var extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            AuthorityKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: issuerKey.publicKey.derRepresentation)))
        }
        if let tnAuthList {
            var serializer = DER.Serializer()
            try serializer.serialize(tnAuthList)
            try extensions.append(Certificate.Extension(oid: TNAuthList.oid, critical: false, value: ArraySlice(serializer.serializedBytes)))
        }
        leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: validity.lowerBound, notValidAfter: validity.upperBound,
            issuer: issuerName, subject: try DistinguishedName { CommonName("SHAKEN 707H") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: .init(issuerKey))
        self.leafKey = leafKey
    }

    /// The root as PEM (the trust anchor file).
    public var rootPEM: String { (try? root.serializeAsPEM().pemString) ?? "" }

    /// What an `x5u` URL serves: the leaf, then the intermediate.
    public var chainPEM: String {
        ([leaf] + (intermediate.map { [$0] } ?? [])).compactMap { try? $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
    }

    /// A PASSporT in compact form. Every field can be set wrong on purpose.
    public func passport(orig: String, dest: [String], iat: Date = Date(), attest: String? = "A", x5u: String,
                         ppt: String = "shaken", alg: String = "ES256", typ: String = "passport", origid: String? = UUID().uuidString,
                         div: String? = nil, signingKey: P256.Signing.PrivateKey? = nil) -> String {
        var header: [String: String] = ["alg": alg, "typ": typ, "ppt": ppt, "x5u": x5u]
        header["x5u"] = x5u
        var claims: [String: Any] = ["orig": ["tn": orig], "dest": ["tn": dest], "iat": Int(iat.timeIntervalSince1970)]
        if let attest { claims["attest"] = attest }
        if let origid { claims["origid"] = origid }
        if let div { claims["div"] = ["tn": div] }
        let headerJSON = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data()
        let claimsJSON = (try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data()
        let input = Self.base64url(headerJSON) + "." + Self.base64url(claimsJSON)
        let signature = (try? (signingKey ?? leafKey).signature(for: Data(input.utf8)).rawRepresentation) ?? Data()
        return input + "." + Self.base64url(signature)
    }

    /// An Identity header value for a PASSporT.
    public func identityHeader(_ passport: String, info: String, ppt: String = "shaken") -> String {
        "\(passport);info=<\(info)>;alg=ES256;ppt=\(ppt)"
    }

    public static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
