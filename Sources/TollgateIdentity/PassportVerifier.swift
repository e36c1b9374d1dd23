import Crypto
import Foundation

/// What a call says about who is calling whom, for checking its PASSporTs against.
public struct IdentityCall: Sendable, Hashable {
    /// Every Identity header value, in order.
    public var identityHeaders: [String]
    /// The caller's numbers as the call shows them: P-Asserted-Identity's user parts, then From's.
    public var callers: [String]
    /// The numbers called: the Request-URI's user part, then To's.
    public var called: [String]

    public init(identityHeaders: [String], callers: [String], called: [String]) {
        self.identityHeaders = identityHeaders
        self.callers = callers
        self.called = called
    }
}

/// Where a PASSporT's certificate stands, as the verifier asks for it by `x5u`.
public enum CertificateLookup: Sendable {
    case ready(IdentityCertificate)
    case failed(IdentityFailure)
    /// Still being fetched: the call's time budget ran out first.
    case pending
}

/// Checks a call's SHAKEN PASSporT (RFC 8224, 8225, 8588) and any diversion PASSporTs (RFC 8946)
/// against the call and a certificate. Pure: time and certificates are passed in, nothing is fetched.
///
/// Cheap checks come first (shape, algorithm, `x5u`, age, numbers), the signature last.
public struct PassportVerifier: Sendable {
    public var numbers: TelephoneNumbers
    /// The oldest `iat` accepted, in seconds (ATIS-1000074: `iat` is trusted over the Date header).
    public var maxAge: TimeInterval
    /// How far in the future `iat` may be, for clocks a little apart.
    public var allowedSkew: TimeInterval
    public var urlPolicy: CertificateURLPolicy

    public init(numbers: TelephoneNumbers = TelephoneNumbers(), maxAge: TimeInterval = 60, allowedSkew: TimeInterval = 5,
                urlPolicy: CertificateURLPolicy = CertificateURLPolicy()) {
        self.numbers = numbers
        self.maxAge = maxAge
        self.allowedSkew = allowedSkew
        self.urlPolicy = urlPolicy
    }

    /// The `x5u` URLs a call's PASSporTs need, allowed ones only, so that they can be fetched before
    /// the call is judged.
    public func certificateURLs(for call: IdentityCall) -> [CertificateURL] {
        var urls: [CertificateURL] = []
        for value in call.identityHeaders {
            guard let header = try? IdentityHeader(parsing: value), let passport = try? Passport(compact: header.token),
                  let text = passport.header.x5u, let url = CertificateURL(text), urlPolicy.allows(url), !urls.contains(url)
            else { continue }
            urls.append(url)
        }
        return urls
    }

    /// The verdict on a call at `now`.
    public func verify(_ call: IdentityCall, at now: Date, certificate: (CertificateURL) -> CertificateLookup) -> IdentityVerdict {
        guard !call.identityHeaders.isEmpty else { return .absent }
        var shaken: [(IdentityHeader, Passport)] = []
        var diversions: [(IdentityHeader, Passport)] = []
        var firstFailure: IdentityFailure?
        for value in call.identityHeaders {
            do throws(IdentityFailure) {
                let header = try IdentityHeader(parsing: value)
                let passport = try Passport(compact: header.token)
                switch passport.header.ppt {
                case "shaken": shaken.append((header, passport))
                case "div": diversions.append((header, passport))
                default: throw IdentityFailure.unsupportedExtension
                }
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        guard let (header, passport) = shaken.first else { return .failed(firstFailure ?? .unsupportedExtension) }
        do throws(IdentityFailure) {
            let attestation = try check(header, passport, diversion: false, at: now)
            guard let orig = passport.claims.orig, call.callers.contains(where: { numbers.same($0, orig) }) else {
                throw .originMismatch
            }
            // The destination: the number called, or through each diversion to it (RFC 8946 §6).
            var reached = passport.claims.dest
            for (divHeader, div) in try orderedDiversions(diversions, from: reached) {
                _ = try check(divHeader, div, diversion: true, at: now)
                guard let divOrig = div.claims.orig, numbers.same(divOrig, orig) else { throw .diversionMismatch }
                try checkSignature(divHeader, div, certificate: certificate)
                reached = div.claims.dest
            }
            guard reached.contains(where: { dest in call.called.contains { numbers.same($0, dest) } }) else {
                throw diversions.isEmpty ? .destinationMismatch : .diversionMismatch
            }
            let certificateKey = try checkSignature(header, passport, certificate: certificate)
            if certificateKey.tnAuthList.namesNumbers, !certificateKey.tnAuthList.covers(numbers.e164(orig) ?? orig) {
                throw .originNotAuthorized
            }
            return .verified(attestation ?? .c)
        } catch {
            return .failed(error)
        }
    }

    /// Orders `div` PASSporTs into a chain starting from the original destination.
    private func orderedDiversions(_ diversions: [(IdentityHeader, Passport)], from dest: [String]) throws(IdentityFailure)
        -> [(IdentityHeader, Passport)]
    {
        var remaining = diversions
        var ordered: [(IdentityHeader, Passport)] = []
        var reached = dest
        while !remaining.isEmpty {
            guard let index = remaining.firstIndex(where: { _, div in
                guard let from = div.claims.div else { return false }
                return reached.contains { numbers.same($0, from) }
            }) else { throw .diversionMismatch }
            let next = remaining.remove(at: index)
            ordered.append(next)
            reached = next.1.claims.dest
        }
        return ordered
    }

    /// Shape, algorithm, type, `x5u` and `info`, claims and age; the attestation of a SHAKEN PASSporT.
    private func check(_ header: IdentityHeader, _ passport: Passport, diversion: Bool, at now: Date) throws(IdentityFailure) -> Attestation? {
        guard passport.header.alg == "ES256", header.algorithm.map({ $0 == "ES256" }) ?? true else { throw .unsupportedAlgorithm }
        guard passport.header.typ == "passport" else { throw .unsupportedType }
        if let ppt = header.passportType, ppt != passport.header.ppt { throw .unsupportedExtension }
        guard let x5u = passport.header.x5u else { throw .missingClaim }
        guard let url = CertificateURL(x5u) else { throw .badCertificateURL }
        guard header.info == x5u else { throw .infoMismatch }
        guard urlPolicy.allows(url) else { throw .certificateURLNotAllowed }
        let claims = passport.claims
        guard let iat = claims.iat, claims.orig != nil, !claims.dest.isEmpty else { throw .missingClaim }
        var attestation: Attestation?
        if diversion {
            guard claims.div != nil else { throw .missingClaim }
        } else {
            guard let attest = claims.attest, let origid = claims.origid, !origid.isEmpty else { throw .missingClaim }
            guard let level = Attestation(rawValue: attest) else { throw .badAttestation }
            attestation = level
        }
        let age = now.timeIntervalSince1970 - Double(iat)
        if age > maxAge { throw .stale }
        if age < -allowedSkew { throw .future }
        return attestation
    }

    /// The signature over `header.payload` with the key of the certificate `x5u` names.
    @discardableResult
    private func checkSignature(_ header: IdentityHeader, _ passport: Passport, certificate: (CertificateURL) -> CertificateLookup)
        throws(IdentityFailure) -> IdentityCertificate
    {
        guard let text = passport.header.x5u, let url = CertificateURL(text) else { throw .badCertificateURL }
        let found: IdentityCertificate
        switch certificate(url) {
        case .ready(let ready): found = ready
        case .failed(let failure): throw failure
        case .pending: throw .certificateTimeout
        }
        guard passport.signature.count == 64,
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: passport.signature),
              found.key.isValidSignature(signature, for: Data(passport.signingInput.utf8))
        else { throw .badSignature }
        return found
    }
}
