import SIPCore

extension IdentityCall {
    /// What an INVITE says about who calls whom: its Identity headers, the numbers of
    /// P-Asserted-Identity and From, and those of the Request-URI and To.
    public init(invite: SIPMessage) {
        let callers = ((try? invite.assertedIdentities()) ?? []) + [try? invite.from()].compactMap { $0 }
        let called = [invite.requestURIText.flatMap { try? SIPURI(parsing: $0) }, (try? invite.to())?.uri].compactMap { $0 }
        self.init(identityHeaders: invite.values(of: .identity),
                  callers: callers.compactMap { Self.number(in: $0.uri) },
                  called: called.compactMap(Self.number(in:)))
    }

    /// The telephone number a URI carries: a `tel:` URI's number, a SIP URI's user part.
    static func number(in uri: SIPURI) -> String? {
        guard let user = uri.unescapedUser, !user.isEmpty else { return nil }
        return user
    }
}

/// How Tollgate marks an INVITE for the PBX after verifying it: `verstat` on the caller's number
/// (3GPP TS 24.229 §7.2A.20), a prefix on the display name. Any `verstat` that came from outside is
/// removed first — only Tollgate's may reach the PBX.
public enum CallerIdentityMarking {
    /// Where `verstat` goes.
    public enum Placement: Sendable {
        /// P-Asserted-Identity's values, or From when there is none.
        case assertedIdentity
        case from
    }

    /// Removes every `verstat` from From and P-Asserted-Identity; whether there was one.
    @discardableResult
    public static func removeVerstat(from message: inout SIPMessage) -> Bool {
        var removed = false
        rewrite(.from, in: &message, mentioning: verstat) { address in
            removed = removeVerstat(&address.uri) || removed
        }
        rewrite(.pAssertedIdentity, in: &message, mentioning: verstat) { address in
            removed = removeVerstat(&address.uri) || removed
        }
        return removed
    }

    /// Adds `verstat=value` to the caller's number where `placement` says.
    public static func addVerstat(_ value: String, placement: Placement, to message: inout SIPMessage) {
        let header: SIPHeaderName = placement == .assertedIdentity && message.contains(.pAssertedIdentity) ? .pAssertedIdentity : .from
        rewrite(header, in: &message) { address in
            _ = removeVerstat(&address.uri)
            switch address.uri.scheme {
            case .tel:
                address.uri.parameters.append("verstat", value)
            case .sip, .sips:
                if let user = address.uri.user, !user.isEmpty { address.uri.user = user + ";verstat=" + value }
            case .other:
                break
            }
        }
    }

    /// Puts `prefix` before the display name of From and P-Asserted-Identity (the number when there
    /// is no name), so that the phone that rings shows it.
    public static func prefixDisplayName(_ prefix: String, in message: inout SIPMessage) {
        for header in [SIPHeaderName.from, .pAssertedIdentity] {
            rewrite(header, in: &message) { address in
                let number = address.uri.unescapedUser?.split(separator: ";").first.map(String.init)
                let shown = address.displayName ?? number ?? ""
                if !shown.hasPrefix(prefix) { address.displayName = prefix + shown }
            }
        }
    }

    private static func removeVerstat(_ uri: inout SIPURI) -> Bool {
        switch uri.scheme {
        case .tel:
            guard uri.parameters.contains("verstat") else { return false }
            uri.parameters.remove("verstat")
            return true
        case .sip, .sips:
            guard let user = uri.user, user.contains(";") else { return false }
            let parts = user.split(separator: ";", omittingEmptySubsequences: false)
            let kept = parts.filter { !$0.lowercased().hasPrefix("verstat=") && $0.lowercased() != "verstat" }
            guard kept.count != parts.count else { return false }
            uri.user = kept.joined(separator: ";")
            return true
        case .other:
            return false
        }
    }

    /// Rewrites each value of a name-addr header in place; values that do not parse are left alone.
    private static func rewrite(_ header: SIPHeaderName, in message: inout SIPMessage, mentioning word: [UInt8]? = nil,
                                _ change: (inout SIPNameAddress) -> Void) {
        let values = message.values(of: header)
        guard !values.isEmpty else { return }
        // Most INVITEs carry no verstat: finding the word costs a scan, parsing the address far more.
        if let word, !values.contains(where: { SIPByteSearch.mayContain(word, in: $0) }) { return }
        var changed = false
        let rewritten = values.map { value -> String in
            guard var address = try? SIPNameAddress(parsing: value, header: header) else { return value }
            let before = address
            change(&address)
            guard address != before else { return value }
            changed = true
            return address.description
        }
        guard changed else { return }
        message.setHeader(header, rewritten.joined(separator: ", "))
    }

    private static let verstat = Array("verstat".utf8)
}
