import Crypto
import Foundation
import Testing
import TollgateTestSupport
import X509

@testable import TollgateIdentity

/// Every way a PASSporT can be wrong, each proved to give its own stable failure; the good ones
/// verified with their attestation.
@Suite("STIR/SHAKEN verification of PASSporTs")
struct PassportVerifierTests {
    static let x5u = "https://cert.example.net/sp.pem"
    static let now = Date()

    let authority: ShakenTestAuthority
    let certificate: IdentityCertificate

    init() async throws {
        authority = try ShakenTestAuthority()
        certificate = try await Self.validated(authority)
    }

    static func validated(_ authority: ShakenTestAuthority, at time: Date = now) async throws -> IdentityCertificate {
        let anchors = IdentityTrustAnchors([authority.root])
        let chain = try IdentityTrustAnchors.certificates(pem: authority.chainPEM)
        return try await anchors.validate(chain, at: time).get()
    }

    func verdict(_ headers: [String], callers: [String] = ["+12155550100"], called: [String] = ["12155550199"],
                 certificate lookup: CertificateLookup? = nil, at time: Date = now) -> IdentityVerdict {
        let verifier = PassportVerifier(numbers: TelephoneNumbers(countryCode: "1"), maxAge: 60)
        let call = IdentityCall(identityHeaders: headers, callers: callers, called: called)
        return verifier.verify(call, at: time) { _ in lookup ?? .ready(certificate) }
    }

    func header(orig: String = "12155550100", dest: [String] = ["12155550199"], iat: Date = now, attest: String? = "A",
                x5u: String = x5u, info: String = x5u, alg: String = "ES256", typ: String = "passport", ppt: String = "shaken",
                origid: String? = "de305d54-75b4-431b-adb2-eb6b9e546014", key: P256.Signing.PrivateKey? = nil) -> String {
        let token = authority.passport(orig: orig, dest: dest, iat: iat, attest: attest, x5u: x5u, ppt: ppt, alg: alg, typ: typ,
                                       origid: origid, signingKey: key)
        return authority.identityHeader(token, info: info, ppt: ppt)
    }

    @Test("valid PASSporTs verify with their attestation A, B or C", arguments: ["A", "B", "C"])
    func validAttestations(level: String) {
        #expect(verdict([header(attest: level)]) == .verified(Attestation(rawValue: level)!))
    }

    @Test("no Identity header is absent, not failed")
    func absent() {
        #expect(verdict([]) == .absent)
    }

    @Test("numbers match as E.164 whichever way SIP writes them")
    func numberForms() {
        for caller in ["+12155550100", "12155550100", "2155550100", "+1 (215) 555-0100", "+12155550100;npdi"] {
            #expect(verdict([header()], callers: [caller]) == .verified(.a), "caller \(caller)")
        }
        for called in ["+12155550199", "2155550199", "01112155550199"] {
            #expect(verdict([header()], called: [called]) == .verified(.a), "called \(called)")
        }
    }

    @Test("an iat older than max_age is stale; one in the future is refused; iat is trusted over Date")
    func freshness() {
        #expect(verdict([header(iat: Self.now.addingTimeInterval(-61))]) == .failed(.stale))
        #expect(verdict([header(iat: Self.now.addingTimeInterval(-59))]) == .verified(.a))
        #expect(verdict([header(iat: Self.now.addingTimeInterval(30))]) == .failed(.future))
        #expect(verdict([header(iat: Date(timeIntervalSince1970: 0))]) == .failed(.stale))
        #expect(IdentityFailure.stale.status == 403 && IdentityFailure.stale.reasonPhrase == "Stale Date")
    }

    @Test("a tampered header, claims or signature fails the signature")
    func tampering() throws {
        let good = header()
        let parts = good.split(separator: ";")[0].split(separator: ".").map(String.init)
        // Claims rewritten to another caller, signature kept.
        let forged = authority.passport(orig: "12155550666", dest: ["12155550199"], x5u: Self.x5u).split(separator: ".")
        let swappedClaims = [parts[0], String(forged[1]), parts[2]].joined(separator: ".")
        #expect(verdict([authority.identityHeader(swappedClaims, info: Self.x5u)], callers: ["12155550666"]) == .failed(.badSignature))
        // A signature bit flipped.
        var signature = try #require(Base64URL.decode(Substring(parts[2])))
        signature[5] ^= 0x01
        let flipped = [parts[0], parts[1], ShakenTestAuthority.base64url(Data(signature))].joined(separator: ".")
        #expect(verdict([authority.identityHeader(flipped, info: Self.x5u)]) == .failed(.badSignature))
        // Signed by another key than the certificate's.
        #expect(verdict([header(key: P256.Signing.PrivateKey())]) == .failed(.badSignature))
    }

    @Test("orig must be the caller shown, dest the number called")
    func numberMismatch() {
        #expect(verdict([header(orig: "12155550777")]) == .failed(.originMismatch))
        #expect(verdict([header(dest: ["12155550000"])]) == .failed(.destinationMismatch))
        #expect(IdentityFailure.originMismatch.status == 438)
    }

    @Test("only ES256: RS256, ES384 and none are failures, never a fallback")
    func algorithms() {
        for alg in ["RS256", "ES384", "none", "HS256"] {
            #expect(verdict([header(alg: alg)]) == .failed(.unsupportedAlgorithm), "alg \(alg)")
        }
        #expect(IdentityFailure.unsupportedAlgorithm.status == 437)
    }

    @Test("typ must be passport, ppt shaken, info the same URL as x5u, x5u https")
    func headerRules() {
        #expect(verdict([header(typ: "JWT")]) == .failed(.unsupportedType))
        #expect(verdict([header(ppt: "rph")]) == .failed(.unsupportedExtension))
        #expect(verdict([header(info: "https://other.example.net/sp.pem")]) == .failed(.infoMismatch))
        #expect(verdict([header(x5u: "http://cert.example.net/sp.pem", info: "http://cert.example.net/sp.pem")]) == .failed(.badCertificateURL))
        #expect(verdict([header(x5u: "https://user@cert.example.net/sp.pem", info: "https://user@cert.example.net/sp.pem")])
                == .failed(.badCertificateURL))
        #expect(verdict([header(x5u: "https://cert.example.net:8080/sp.pem", info: "https://cert.example.net:8080/sp.pem")])
                == .failed(.certificateURLNotAllowed))
    }

    @Test("missing or bad claims")
    func claims() {
        #expect(verdict([header(attest: nil)]) == .failed(.missingClaim))
        #expect(verdict([header(attest: "D")]) == .failed(.badAttestation))
        #expect(verdict([header(origid: nil)]) == .failed(.missingClaim))
    }

    @Test("the compact form and malformed headers are refused")
    func malformed() {
        let parts = header().split(separator: ";")[0].split(separator: ".")
        let compact = "\(parts[0])..\(parts[2]);info=<\(Self.x5u)>;alg=ES256;ppt=shaken"
        #expect(verdict([compact]) == .failed(.compactForm))
        #expect(verdict(["not a jws"]) == .failed(.malformedHeader))
        #expect(verdict(["a.b.c;info=<\(Self.x5u)>"]) == .failed(.malformedPassport))
        #expect(verdict(["\(parts[0]).\(parts[1]).\(parts[2]);info=<unterminated"]) == .failed(.malformedHeader))
    }

    @Test("certificate failures pass through; a certificate still on its way is a timeout")
    func certificateLookups() {
        #expect(verdict([header()], certificate: .failed(.certificateUntrusted)) == .failed(.certificateUntrusted))
        #expect(verdict([header()], certificate: .pending) == .failed(.certificateTimeout))
    }

    @Test("a TNAuthList that lists numbers must cover orig")
    func tnAuthListNumbers() async throws {
        let ranged = try ShakenTestAuthority(tnAuthList: TNAuthList([.range(start: "12155550100", count: 10)]), leafKey: authority.leafKey)
        let certificate = try await Self.validated(ranged)
        #expect(verdict([header()], certificate: .ready(certificate)) == .verified(.a))
        #expect(verdict([header(orig: "12155550200")], callers: ["12155550200"], certificate: .ready(certificate))
                == .failed(.originNotAuthorized))
    }

    @Test("a diverted call verifies through its div PASSporT to the new destination (RFC 8946)")
    func diversion() {
        let shaken = header(dest: ["12155550199"])
        let div = authority.identityHeader(
            authority.passport(orig: "12155550100", dest: ["12155550300"], attest: nil, x5u: Self.x5u, ppt: "div", origid: nil,
                               div: "12155550199"),
            info: Self.x5u, ppt: "div")
        #expect(verdict([shaken, div], called: ["12155550300"]) == .verified(.a))
        let unrelated = authority.identityHeader(
            authority.passport(orig: "12155550100", dest: ["12155550300"], attest: nil, x5u: Self.x5u, ppt: "div", origid: nil,
                               div: "12155550111"),
            info: Self.x5u, ppt: "div")
        #expect(verdict([shaken, unrelated], called: ["12155550300"]) == .failed(.diversionMismatch))
    }
}
