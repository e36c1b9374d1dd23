import Crypto
import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// A STIR certificate whose chain led to a trust anchor: the key PASSporTs are checked with, what
/// its TNAuthList allows, and until when the whole chain stays valid (the cache keeps it that long).
public struct IdentityCertificate: Sendable {
    public var key: P256.Signing.PublicKey
    public var tnAuthList: TNAuthList
    /// The earliest `notAfter` in the chain.
    public var validUntil: Date
    /// The leaf's subject, for logs.
    public var subject: String

    public init(key: P256.Signing.PublicKey, tnAuthList: TNAuthList, validUntil: Date, subject: String) {
        self.key = key
        self.tnAuthList = tnAuthList
        self.validUntil = validUntil
        self.subject = subject
    }
}

/// The trust anchors STIR certificates must chain to, and the checks a chain must pass: dates,
/// the path to an anchor (RFC 5280), a P-256 key and a readable TNAuthList on the leaf.
public struct IdentityTrustAnchors: Sendable {
    public var roots: [Certificate]

    public init(_ roots: [Certificate]) {
        self.roots = roots
    }

    /// Reads every certificate in PEM files (bundles welcome).
    public init(pemFiles: [String]) throws {
        var roots: [Certificate] = []
        for path in pemFiles {
            roots += try IdentityTrustAnchors.certificates(pem: String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
        }
        self.roots = roots
    }

    /// The certificates of a PEM bundle in order (leaf first, as `x5u` serves them).
    public static func certificates(pem: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: pem).filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(derEncoded: $0.derBytes) }
    }

    /// Reads what an `x5u` URL served: a PEM bundle, or one DER certificate.
    public static func certificates(served bytes: [UInt8]) -> [Certificate]? {
        if let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN") {
            guard let chain = try? certificates(pem: text), !chain.isEmpty else { return nil }
            return chain
        }
        return (try? Certificate(derEncoded: bytes)).map { [$0] }
    }

    /// Checks `chain` (leaf first) at `time`; the leaf's key and TNAuthList when it passes.
    public func validate(_ chain: [Certificate], at time: Date) async -> Result<IdentityCertificate, IdentityFailure> {
        guard let leaf = chain.first else { return .failure(.certificateUnavailable) }
        for certificate in chain {
            if time > certificate.notValidAfter { return .failure(.certificateExpired) }
            if time < certificate.notValidBefore { return .failure(.certificateNotYetValid) }
        }
        guard let key = P256.Signing.PublicKey(leaf.publicKey) else { return .failure(.unsupportedKey) }
        guard let value = leaf.extensions[oid: TNAuthList.oid]?.value, let list = try? TNAuthList(derEncoded: value) else {
            return .failure(.noTNAuthList)
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            TNAuthListPolicy()
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst()))
        guard case .validCertificate(let validated) = result else { return .failure(.certificateUntrusted) }
        let validUntil = validated.map(\.notValidAfter).min() ?? leaf.notValidAfter
        return .success(IdentityCertificate(key: key, tnAuthList: list, validUntil: validUntil, subject: "\(leaf.subject)"))
    }
}

/// Lets a leaf mark its TNAuthList critical: Tollgate reads and enforces it.
struct TNAuthListPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [TNAuthList.oid]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
