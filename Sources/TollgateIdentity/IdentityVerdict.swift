/// The attestation level a carrier signed (RFC 8588 §4): A full, B partial, C gateway.
public enum Attestation: String, Sendable, Hashable, CaseIterable {
    case a = "A"
    case b = "B"
    case c = "C"
}

/// What Tollgate concluded about a call's caller identity.
public enum IdentityVerdict: Sendable, Hashable, CustomStringConvertible {
    /// A SHAKEN PASSporT verified, with the attestation it carries.
    case verified(Attestation)
    /// An Identity header was there and did not verify.
    case failed(IdentityFailure)
    /// No Identity header.
    case absent

    /// `verified A`, `failed: bad-signature`, `absent`.
    public var description: String {
        switch self {
        case .verified(let level): "verified \(level.rawValue)"
        case .failed(let reason): "failed: \(reason.rawValue)"
        case .absent: "absent"
        }
    }

    /// The CDR's form, one token: `verified-A`, `failed:bad-signature`, `absent`.
    public var recordValue: String {
        switch self {
        case .verified(let level): "verified-\(level.rawValue)"
        case .failed(let reason): "failed:\(reason.rawValue)"
        case .absent: "absent"
        }
    }

    /// The `verstat` value 3GPP TS 24.229 §7.2A.20 gives the PBX.
    public var verstat: String {
        switch self {
        case .verified: "TN-Validation-Passed"
        case .failed: "TN-Validation-Failed"
        case .absent: "No-TN-Validation"
        }
    }

    /// Whether the number was verified with full attestation.
    public var isFullyAttested: Bool { self == .verified(.a) }
}
