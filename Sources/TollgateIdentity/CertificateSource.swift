import Foundation
import NIOCore

/// Where `x5u` certificates come from: fetched over HTTPS (``HTTPSCertificateSource``), or in tests
/// anything that answers the same way. The answer is already validated against the trust anchors.
public protocol CertificateSource: Sendable {
    /// The certificate `url` names, validated at `time`; a failure is a value, not an error.
    func certificate(for url: CertificateURL, at time: Date, on eventLoop: any EventLoop)
        -> EventLoopFuture<Result<IdentityCertificate, IdentityFailure>>
}
