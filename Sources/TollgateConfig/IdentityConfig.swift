import Foundation

/// Caller identity: STIR/SHAKEN verification of calls from trunks, and the caller-ID screen that
/// flags calls from outside claiming one of the company's own numbers.
public struct IdentityConfig: Sendable, Hashable, Codable {
    /// Where the PBX is told the verdict (`verstat`, 3GPP TS 24.229).
    public enum Verstat: String, Sendable, Hashable, Codable, CaseIterable {
        /// On P-Asserted-Identity's number, or From's when there is none.
        case pai
        /// On From's number.
        case from
        /// Not at all.
        case off
    }

    /// What happens to a call whose identity failed (or is absent, where a trunk requires it).
    public enum Policy: String, Sendable, Hashable, Codable, CaseIterable {
        /// The call goes through; the verdict is in the CDR, the events and `verstat`.
        case `continue`
        /// The call goes through with the display name prefixed.
        case tag
        /// The call is refused with the status RFC 8224 gives the failure (428 when absent).
        case reject
    }

    /// A certificate kept locally for an `x5u` URL (sites without internet access).
    public struct ProvisionedCertificate: Sendable, Hashable, Codable {
        public var x5u: String
        public var file: String

        public init(x5u: String, file: String) {
            self.x5u = x5u
            self.file = file
        }
    }

    /// PEM files of the STI certificate authorities PASSporT certificates must chain to.
    /// Verification is on when there is at least one.
    public var trustAnchors: [String] = []
    public var certificates: [ProvisionedCertificate] = []
    /// Hosts (`name`, `*.domain`, `host:port`, or an address literal for a server inside) `x5u` may
    /// name; empty: any public host on 443 or 8443.
    public var x5uAllow: [String] = []
    /// PEM files the certificate servers' TLS certificates must chain to; the system's roots when empty.
    public var x5uTLSCA: [String] = []
    /// The oldest PASSporT `iat` accepted, in seconds.
    public var maxAge: Double = 60
    /// How long a call may wait for a certificate not yet cached, in seconds.
    public var fetchBudget: Double = 0.5
    /// The country calling code numbers written nationally belong to.
    public var countryCode: String = "1"
    public var internationalPrefix: String?
    public var nationalPrefix: String?
    public var verstat: Verstat = .pai
    /// The company's own numbers and extensions (`+4930123456*`, `2000-2999`, `+4930123456100`).
    public var ownNumbers: [String] = []
    /// Numbers a vishing caller would pretend to be (the managing director's mobile).
    public var vips: [String] = []
    /// What happens to a call from outside claiming an own number or a VIP without full attestation.
    public var spoofedAction: Policy = .tag
    /// Put before the display name of a call whose identity failed, with the `tag` policy.
    public var tagPrefix: String = "[unverified] "
    /// Put before the display name of a call claiming an own number or a VIP, with `tag`.
    public var spoofedTagPrefix: String = "[spoofed?] "

    public init() {}

    /// Whether PASSporTs are verified (trust anchors are configured).
    public var verifies: Bool { !trustAnchors.isEmpty }

    /// Whether anything is configured at all (the identity call hook is needed).
    public var isActive: Bool { verifies || !ownNumbers.isEmpty || !vips.isEmpty }
}
