import Foundation

extension TollgateConfig {
    /// Caller identity: files that exist, sane times and numbers, and trunk policies that need
    /// verification only where it is configured.
    func validateIdentity(_ report: inout ValidationReport) {
        let config = identity
        for (index, file) in config.trustAnchors.enumerated() where !FileManager.default.isReadableFile(atPath: file) {
            report.add("identity.trust_anchors[\(index)]", "cannot read \(file): the STI certificate authority's PEM file is needed")
        }
        for (index, file) in config.x5uTLSCA.enumerated() where !FileManager.default.isReadableFile(atPath: file) {
            report.add("identity.x5u_tls_ca[\(index)]", "cannot read \(file)")
        }
        for (index, certificate) in config.certificates.enumerated() {
            if !certificate.x5u.lowercased().hasPrefix("https://") {
                report.add("identity.certificates[\(index)].x5u", "must be an https URL, found \(ConfigSyntax.quoted(certificate.x5u))")
            }
            if !FileManager.default.isReadableFile(atPath: certificate.file) {
                report.add("identity.certificates[\(index)].file", "cannot read \(certificate.file)")
            }
        }
        if !config.certificates.isEmpty, !config.verifies {
            report.add("identity.certificates", "certificates need identity.trust_anchors to be checked against")
        }
        if config.maxAge <= 0 || config.maxAge > 3_600 { report.add("identity.max_age", "must be more than 0 and at most 3600 seconds") }
        if config.fetchBudget <= 0 || config.fetchBudget > 10 { report.add("identity.fetch_budget", "must be more than 0 and at most 10 seconds") }
        if config.countryCode.isEmpty || config.countryCode.count > 3 || !config.countryCode.allSatisfy({ $0.isASCII && $0.isNumber }) {
            report.add("identity.country_code", "must be a country calling code of 1 to 3 digits, e.g. 1 or 49")
        }
        for (key, prefix) in [("international_prefix", config.internationalPrefix), ("national_prefix", config.nationalPrefix)] {
            if let prefix, !prefix.allSatisfy({ $0.isASCII && $0.isNumber }) { report.add("identity.\(key)", "must be digits") }
        }
        for (key, list) in [("own_numbers", config.ownNumbers), ("vips", config.vips)] {
            for (index, pattern) in list.enumerated() where !Self.isNumberPattern(pattern) {
                report.add("identity.\(key)[\(index)]",
                           "expected a number (+4930123456), a prefix (+4930123456*) or an extension range (2000-2999), found \(ConfigSyntax.quoted(pattern))")
            }
        }
        for (key, prefix) in [("tag_prefix", config.tagPrefix), ("spoofed_tag_prefix", config.spoofedTagPrefix)]
        where prefix.count > 64 || prefix.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            report.add("identity.\(key)", "must be at most 64 characters, without control characters")
        }
        for (index, trunk) in trunks.enumerated() where !config.verifies && (trunk.identity != .continue || trunk.identityRequired) {
            report.add("trunks[\(index)].identity", "needs identity.trust_anchors: without them no call's identity can be verified")
        }
    }

    /// A number, a prefix ending in `*`, or a range of extensions `low-high`.
    static func isNumberPattern(_ text: String) -> Bool {
        let body = text.hasSuffix("*") ? String(text.dropLast()) : text
        if let dash = body.firstIndex(of: "-"), !body.hasPrefix("+") {
            let low = body[..<dash], high = body[body.index(after: dash)...]
            return !low.isEmpty && !high.isEmpty && low.allSatisfy(\.isWholeNumber) && high.allSatisfy(\.isWholeNumber)
                && (UInt64(low) ?? 1) <= (UInt64(high) ?? 0)
        }
        let digits = body.hasPrefix("+") ? body.dropFirst() : Substring(body)
        return !digits.isEmpty && digits.count <= 15 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
