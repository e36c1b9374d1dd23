import SIPCore
import TollgateConfig

/// Answers a trunk's Digest challenge with the trunk's configured credentials: picks the first
/// Digest challenge whose realm the credentials may answer and whose algorithm ``SIPDigest``
/// supports (MD5, SHA-256 and their `-sess` forms, `qop=auth` or none), and computes the
/// Authorization value for it. Pure: no I/O, nothing logged, the password never leaves.
enum TrunkDigest {
    /// Why a challenge is left unanswered.
    enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// The response carried no Digest challenge.
        case noChallenge
        /// Every challenge named another realm than the configured one.
        case realmMismatch(offered: [String], configured: String)
        /// The challenges for the realm could not be answered (algorithm, qop, missing nonce).
        case unusable(SIPDigest.VerificationError)

        var description: String {
            switch self {
            case .noChallenge:
                "no Digest challenge in the response"
            case .realmMismatch(let offered, let configured):
                "challenge for realm \(offered.map { "'\($0)'" }.joined(separator: ", ")), credentials are for '\(configured)'"
            case .unusable(let error):
                "cannot answer the challenge: \(error)"
            }
        }
    }

    /// The header that carries a challenge in a response with `status`, and the header its answer goes in:
    /// WWW-Authenticate and Authorization for 401, Proxy-Authenticate and Proxy-Authorization for 407.
    static func headers(forStatus status: Int) -> (challenge: SIPHeaderName, answer: SIPHeaderName)? {
        switch status {
        case 401: (.wwwAuthenticate, .authorization)
        case 407: (.proxyAuthenticate, .proxyAuthorization)
        default: nil
        }
    }

    /// The challenges of a 401 or 407 response, in the order the server offered them; unparsable values are skipped.
    static func challenges(in response: SIPMessage) -> [SIPAuthorization] {
        guard let status = response.statusCode, let (challenge, _) = headers(forStatus: status) else { return [] }
        return response.values(of: challenge).compactMap { try? SIPAuthorization(parsing: $0, header: challenge) }
    }

    /// The credentials answering the first usable challenge.
    ///
    /// - Parameters:
    ///   - challenges: The challenges in the server's order of preference.
    ///   - credentials: The trunk's credentials; with a `realm`, only challenges for that realm are answered.
    ///   - method: The method of the request being authorised.
    ///   - uri: The Request-URI of the request being authorised.
    ///   - cnonce: A fresh client nonce.
    static func answer(
        _ challenges: [SIPAuthorization], credentials: TrunkCredentials, method: String, uri: String, cnonce: String
    ) throws(Refusal) -> SIPAuthorization {
        let digests = challenges.filter(\.isDigest)
        guard !digests.isEmpty else { throw .noChallenge }
        var candidates = digests
        if let realm = credentials.realm {
            candidates = digests.filter { $0.realm == realm }
            guard !candidates.isEmpty else { throw .realmMismatch(offered: digests.map { $0.realm ?? "" }, configured: realm) }
        }
        var lastError = SIPDigest.VerificationError.notDigest
        for challenge in candidates {
            do {
                return try SIPDigest.credentials(answering: challenge, method: method, uri: uri, username: credentials.username,
                                                 password: credentials.password, cnonce: cnonce)
            } catch {
                lastError = error
            }
        }
        throw .unusable(lastError)
    }
}
