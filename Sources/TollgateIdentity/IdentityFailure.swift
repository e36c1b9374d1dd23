/// Why a call's caller identity could not be verified: a stable name for CDRs, events and metrics,
/// and the status RFC 8224 gives for refusing the call over it.
public enum IdentityFailure: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The Identity header is not `token;info=<uri>;…` (RFC 8224 §4.1).
    case malformedHeader = "malformed-header"
    /// The compact form (an empty payload): the claims would have to be rebuilt from SIP; refused.
    case compactForm = "compact-form"
    /// The JWS header or claims are not valid JSON of the expected shape.
    case malformedPassport = "malformed-passport"
    /// `alg` is not ES256 (RS256, ES384, `none`, …): never a fallback.
    case unsupportedAlgorithm = "unsupported-algorithm"
    /// `typ` is not `passport`.
    case unsupportedType = "unsupported-type"
    /// `ppt` is not `shaken` (or `div` for a diversion), or the header's `ppt` differs from the JWS's.
    case unsupportedExtension = "unsupported-ppt"
    /// A claim SHAKEN requires is missing or malformed (`attest`, `orig`, `dest`, `iat`, `origid`).
    case missingClaim = "missing-claim"
    /// `attest` is not A, B or C.
    case badAttestation = "bad-attestation"
    /// The `info` parameter does not name the same URL as `x5u`.
    case infoMismatch = "info-mismatch"
    /// `x5u` is not an https URL without user information, query or fragment.
    case badCertificateURL = "bad-x5u"
    /// `x5u`'s host or port is not on the allow-list, or its address is an internal one.
    case certificateURLNotAllowed = "x5u-not-allowed"
    /// The certificate could not be fetched (refused, 404, too large, not a certificate).
    case certificateUnavailable = "certificate-unavailable"
    /// The certificate did not arrive within the time budget.
    case certificateTimeout = "certificate-timeout"
    /// The certificate, or one in its chain, is past its `notAfter`.
    case certificateExpired = "certificate-expired"
    /// The certificate, or one in its chain, is before its `notBefore`.
    case certificateNotYetValid = "certificate-not-yet-valid"
    /// The chain does not lead to a configured trust anchor.
    case certificateUntrusted = "certificate-untrusted"
    /// The leaf has no TNAuthList (RFC 8226), or one that cannot be read.
    case noTNAuthList = "no-tn-auth-list"
    /// The leaf's key is not a P-256 key.
    case unsupportedKey = "unsupported-key"
    /// The signature does not verify with the certificate's key.
    case badSignature = "bad-signature"
    /// `iat` is older than the allowed age.
    case stale = "iat-stale"
    /// `iat` is in the future beyond the allowed clock skew.
    case future = "iat-future"
    /// `orig` is not the caller shown in P-Asserted-Identity or From.
    case originMismatch = "orig-mismatch"
    /// `dest` does not name the number called (Request-URI or To).
    case destinationMismatch = "dest-mismatch"
    /// The certificate's TNAuthList lists numbers, and `orig` is not among them.
    case originNotAuthorized = "orig-not-authorized"
    /// A `div` PASSporT does not chain from the original destination to the number called.
    case diversionMismatch = "div-mismatch"

    public var description: String { rawValue }

    /// The final status to refuse a call with, when the policy says to (RFC 8224 §6.2.2).
    public var status: Int {
        switch self {
        case .stale, .future:
            403
        case .infoMismatch, .badCertificateURL, .certificateURLNotAllowed, .certificateUnavailable, .certificateTimeout:
            436
        case .unsupportedAlgorithm, .certificateExpired, .certificateNotYetValid, .certificateUntrusted, .noTNAuthList,
            .unsupportedKey:
            437
        case .malformedHeader, .compactForm, .malformedPassport, .unsupportedType, .unsupportedExtension, .missingClaim,
            .badAttestation, .badSignature, .originMismatch, .destinationMismatch, .originNotAuthorized, .diversionMismatch:
            438
        }
    }

    /// The reason phrase of ``status``: RFC 8224 names 403 "Stale Date".
    public var reasonPhrase: String {
        switch status {
        case 403: "Stale Date"
        case 436: "Bad Identity Info"
        case 437: "Unsupported Credential"
        default: "Invalid Identity Header"
        }
    }
}
