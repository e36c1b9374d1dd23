import Crypto
import Foundation
import SwiftASN1
import Testing
import TollgateTestSupport
import X509

@testable import TollgateIdentity

@Suite("STIR certificates: chains to trust anchors, dates, TNAuthList")
struct CertificateChainTests {
    func validate(_ authority: ShakenTestAuthority, anchors: [Certificate]? = nil, at time: Date = Date()) async throws
        -> Result<IdentityCertificate, IdentityFailure>
    {
        let chain = try IdentityTrustAnchors.certificates(pem: authority.chainPEM)
        return await IdentityTrustAnchors(anchors ?? [authority.root]).validate(chain, at: time)
    }

    @Test("a leaf under an intermediate, and a leaf under the root, lead to the anchor")
    func chains() async throws {
        let withIntermediate = try ShakenTestAuthority(withIntermediate: true)
        let certificate = try await validate(withIntermediate).get()
        #expect(certificate.tnAuthList.serviceProviderCodes == ["707H"])
        #expect(try await validate(ShakenTestAuthority(withIntermediate: false)).get().tnAuthList.namesNumbers == false)
    }

    @Test("another CA's chain is untrusted")
    func anotherCA() async throws {
        let other = try ShakenTestAuthority(name: "Someone else")
        let result = try await validate(try ShakenTestAuthority(), anchors: [other.root])
        #expect(result.failure == .certificateUntrusted)
    }

    @Test("an expired or not yet valid leaf is refused with its own reason")
    func dates() async throws {
        let now = Date()
        let expired = try ShakenTestAuthority(leafValidity: now.addingTimeInterval(-7200)...now.addingTimeInterval(-60))
        #expect(try await validate(expired).failure == .certificateExpired)
        let future = try ShakenTestAuthority(leafValidity: now.addingTimeInterval(600)...now.addingTimeInterval(7200))
        #expect(try await validate(future).failure == .certificateNotYetValid)
        // And the same certificate judged at another time (`--at`).
        #expect(try await validate(future, at: now.addingTimeInterval(900)).failure == nil)
    }

    @Test("a leaf with a P-384 key is refused: SHAKEN signs with ES256 only")
    func p384Leaf() async throws {
        let authority = try ShakenTestAuthority(withIntermediate: false)
        let now = Date()
        var serializer = DER.Serializer()
        try serializer.serialize(TNAuthList([.serviceProviderCode("707H")]))
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(P384.Signing.PrivateKey().publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
            issuer: authority.root.subject, subject: try DistinguishedName { CommonName("P-384 leaf") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Certificate.Extension(oid: TNAuthList.oid, critical: false, value: ArraySlice(serializer.serializedBytes))
            },
            issuerPrivateKey: .init(authority.rootKey))
        let result = await IdentityTrustAnchors([authority.root]).validate([leaf], at: now)
        #expect(result.failure == .unsupportedKey)
    }

    @Test("a leaf without TNAuthList is no STIR certificate")
    func noTNAuthList() async throws {
        #expect(try await validate(ShakenTestAuthority(tnAuthList: nil)).failure == .noTNAuthList)
    }

    @Test("TNAuthList reads back what was written (SPC, range, number) and covers by value")
    func tnAuthListRoundTrip() throws {
        let list = TNAuthList([.serviceProviderCode("707H"), .range(start: "12155550100", count: 100), .number("12155559999")])
        var serializer = DER.Serializer()
        try serializer.serialize(list)
        let read = try TNAuthList(derEncoded: ArraySlice(serializer.serializedBytes))
        #expect(read == list)
        #expect(read.covers("12155550150") && read.covers("12155559999"))
        #expect(!read.covers("12155550200") && !read.covers("1215555015"))
        #expect(throws: (any Error).self) { try TNAuthList(derEncoded: [0x30, 0x00]) }
        #expect(throws: (any Error).self) { try TNAuthList(derEncoded: [0x30, 0x03, 0xA5, 0x01, 0x00]) }
    }

    @Test("served bytes: a PEM bundle or one DER certificate; garbage is nothing")
    func servedForms() throws {
        let authority = try ShakenTestAuthority()
        #expect(IdentityTrustAnchors.certificates(served: Array(authority.chainPEM.utf8))?.count == 2)
        var der = DER.Serializer()
        try der.serialize(authority.leaf)
        #expect(IdentityTrustAnchors.certificates(served: der.serializedBytes)?.count == 1)
        #expect(IdentityTrustAnchors.certificates(served: Array("<html>not found</html>".utf8)) == nil)
        #expect(IdentityTrustAnchors.certificates(served: Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)) == nil)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
