import Crypto
import Foundation
import SwiftASN1
import X509

/// A development certificate for TLS listeners: an ECDSA P-256 key and a self-signed certificate
/// for the given names and addresses, both PEM. Never for production: peers cannot verify it.
public struct SelfSignedCertificate: Sendable {
    public var certificatePEM: String
    public var privateKeyPEM: String

    /// Makes a certificate valid from a minute ago for `days`, for DNS names and IP addresses.
    public init(commonName: String = "Tollgate development", dnsNames: [String] = ["localhost"],
                ipAddresses: [String] = ["127.0.0.1", "::1"], days: Int = 365) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName(commonName)
            OrganizationName("Tollgate")
        }
        var alternativeNames: [GeneralName] = dnsNames.map { .dnsName($0) }
        for address in ipAddresses {
            if let bytes = Self.addressBytes(address) { alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...]))) }
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuerPrivateKey: .init(key)
        )
        certificatePEM = try certificate.serializeAsPEM().pemString
        privateKeyPEM = key.pemRepresentation
    }

    /// The certificate's SHA-256 fingerprint, as browsers show it: `AB:CD:…`.
    public var fingerprint: String {
        get throws { try Self.fingerprint(pem: certificatePEM) }
    }

    /// The SHA-256 fingerprint of the first certificate in PEM text.
    public static func fingerprint(pem: String) throws -> String {
        guard let first = try PEMDocument.parseMultiple(pemString: pem).first(where: { $0.discriminator == "CERTIFICATE" }) else {
            throw SIPTransportError.tlsSetup(listener: "certificate", reason: "no CERTIFICATE block in the PEM text")
        }
        return SHA256.hash(data: first.derBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// Writes the certificate and key; the key file is readable by its owner only.
    ///
    /// - Throws: the system's error when the certificate cannot be written, and
    ///   ``SIPTransportError/cannotWrite(path:)`` when the key cannot.
    public func write(certificate certificatePath: String, key keyPath: String) throws {
        try (certificatePEM + "\n").write(toFile: certificatePath, atomically: true, encoding: .utf8)
        let written = FileManager.default.createFile(atPath: keyPath, contents: Data((privateKeyPEM + "\n").utf8),
                                                     attributes: [.posixPermissions: 0o600])
        guard written else { throw SIPTransportError.cannotWrite(path: keyPath) }
    }

    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
