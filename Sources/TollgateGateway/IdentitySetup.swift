import Foundation
import Logging
import NIOCore
import TollgateConfig
import TollgateIdentity

/// Caller identity as the configuration asks for it, read and checked before the gateway starts:
/// the trust anchors, the pre-provisioned certificates (validated now: a bad one stops the start
/// with its reason), the certificate source and the caller-ID screen. ``makeHook(on:events:logger:)``
/// then builds the call hook on the gateway's event loop.
struct IdentitySetup: Sendable {
    let config: IdentityConfig
    let passports: PassportVerifier
    let source: HTTPSCertificateSource?
    let provisioned: [(url: CertificateURL, certificate: IdentityCertificate)]
    let screen: CallerIDScreen
    let trunks: [String: IdentityCallHook.TrunkPolicy]

    /// Why caller identity cannot start as configured.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// nil when the configuration asks for nothing (no trust anchors, no own numbers, no VIPs).
    static func resolve(_ identity: IdentityConfig, trunks: [TrunkConfig], logger: Logger, now: Date = Date()) async throws -> IdentitySetup? {
        guard identity.isActive else { return nil }
        let numbers = TelephoneNumbers(countryCode: identity.countryCode, internationalPrefix: identity.internationalPrefix,
                                       nationalPrefix: identity.nationalPrefix)
        let policy = CertificateURLPolicy(allow: identity.x5uAllow)
        let passports = PassportVerifier(numbers: numbers, maxAge: identity.maxAge, urlPolicy: policy)
        var source: HTTPSCertificateSource?
        var provisioned: [(url: CertificateURL, certificate: IdentityCertificate)] = []
        if identity.verifies {
            let anchors: IdentityTrustAnchors
            do {
                anchors = try IdentityTrustAnchors(pemFiles: identity.trustAnchors)
            } catch {
                throw SetupError(description: "identity.trust_anchors: cannot read the certificates (\(error))")
            }
            guard !anchors.roots.isEmpty else { throw SetupError(description: "identity.trust_anchors: no certificate in the files given") }
            do {
                source = try HTTPSCertificateSource(anchors: anchors, policy: policy, tlsCA: identity.x5uTLSCA,
                                                    logger: logger)
            } catch {
                throw SetupError(description: "identity.x5u_tls_ca: \(error)")
            }
            for (index, entry) in identity.certificates.enumerated() {
                let path = "identity.certificates[\(index)]"
                guard let url = CertificateURL(entry.x5u) else { throw SetupError(description: "\(path).x5u: not an https URL") }
                guard let data = FileManager.default.contents(atPath: entry.file),
                      let chain = IdentityTrustAnchors.certificates(served: Array(data))
                else { throw SetupError(description: "\(path).file: \(entry.file) holds no certificate") }
                switch await anchors.validate(chain, at: now) {
                case .success(let certificate): provisioned.append((url, certificate))
                case .failure(let failure): throw SetupError(description: "\(path): \(entry.file) is refused: \(failure)")
                }
            }
        }
        let screen = CallerIDScreen(numbers: numbers,
                                    ownNumbers: identity.ownNumbers.compactMap { CallerIDScreen.Pattern($0, numbers: numbers) },
                                    vips: identity.vips.compactMap { CallerIDScreen.Pattern($0, numbers: numbers) })
        let policies = Dictionary(trunks.map { ($0.name, IdentityCallHook.TrunkPolicy(onFailure: $0.identity, required: $0.identityRequired)) },
                                uniquingKeysWith: { first, _ in first })
        return IdentitySetup(config: identity, passports: passports, source: source, provisioned: provisioned, screen: screen, trunks: policies)
    }

    /// What the hook runs with, its verifier confined to `loop`. Call on `loop`.
    func makeRules(on loop: any EventLoop, logger: Logger) -> IdentityCallHook.Rules {
        let verifier = source.map { source in
            CallerIdentityVerifier(passports: passports, source: source, eventLoop: loop,
                                   budget: .milliseconds(Int64((config.fetchBudget * 1000).rounded())), logger: logger)
        }
        for (url, certificate) in provisioned { verifier?.provision(certificate, for: url) }
        return IdentityCallHook.Rules(verifier: verifier, screen: screen, config: config, trunks: trunks)
    }
}
