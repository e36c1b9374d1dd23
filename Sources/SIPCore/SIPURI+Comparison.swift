extension SIPURI {
    /// Decodes `%HH` escapes once (RFC 3261 §19.1.2). `%2541` becomes `%41`, never `A`; a `%`
    /// not followed by two hex digits is kept as it is; `%00` gives a NUL character, not an end.
    public static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = SIPCharacterClass.hexValue(bytes[index + 1]),
                let low = SIPCharacterClass.hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Which characters may stand unescaped in a URI component.
    public enum Component: Sendable {
        case user, password, parameter, header
    }

    /// Escapes every byte of `text` that `component` does not allow unescaped, as `%HH`.
    public static func escape(_ text: String, for component: Component) -> String {
        var out = ""
        for byte in text.utf8 {
            let allowed: Bool
            switch component {
            case .user: allowed = SIPCharacterClass.isUnreserved(byte) || isUserUnreserved(byte)
            case .password: allowed = SIPCharacterClass.isUnreserved(byte) || isPasswordByte(byte)
            case .parameter: allowed = byte != UInt8(ascii: "%") && isParameterByte(byte)
            case .header: allowed = byte != UInt8(ascii: "%") && isHeaderByte(byte)
            }
            if allowed {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    /// URI equivalence by the rules of RFC 3261 §19.1.4:
    /// - the schemes must match, and a SIP URI never equals a SIPS URI;
    /// - user and password compare case-sensitively after unescaping, everything else
    ///   case-insensitively after unescaping;
    /// - an absent port does not equal an explicit default port;
    /// - `user`, `ttl`, `method`, `maddr` and `transport` must match whenever either URI has them;
    ///   other parameters are compared only when both URIs carry them;
    /// - URI headers must match exactly, in any order.
    ///
    /// URIs of other schemes compare by their text, with the scheme case-insensitive.
    public func isEquivalent(to other: SIPURI) -> Bool {
        guard scheme == other.scheme else { return false }
        guard isSIP else {
            if scheme == .tel {
                return SIPURI.telDigits(user) == SIPURI.telDigits(other.user)
                    && parametersMatch(other, strict: Set(parameters.elements.map { $0.name.lowercased() }))
            }
            return opaque == other.opaque
        }
        guard unescapedUser == other.unescapedUser,
            password.map(SIPURI.unescape) == other.password.map(SIPURI.unescape),
            SIPURI.unescape(hostAddress) == SIPURI.unescape(other.hostAddress),
            port == other.port
        else { return false }
        guard parametersMatch(other, strict: ["user", "ttl", "method", "maddr", "transport"]) else { return false }
        guard headers.count == other.headers.count else { return false }
        // Each header must pair with a distinct header of the other URI, so that a repeated
        // header cannot stand in for a missing one.
        var unmatched = other.headers
        for header in headers {
            guard let match = unmatched.firstIndex(where: {
                $0.name.lowercased() == header.name.lowercased()
                    && SIPURI.unescape($0.value) == SIPURI.unescape(header.value)
            }) else { return false }
            unmatched.remove(at: match)
        }
        return true
    }

    private func parametersMatch(_ other: SIPURI, strict: Set<String>) -> Bool {
        func normalised(_ value: String??) -> String?? {
            value.map { $0.map { SIPURI.unescape($0).lowercased() } }
        }
        let names = Set(parameters.elements.map { $0.name.lowercased() } + other.parameters.elements.map { $0.name.lowercased() })
        for name in names {
            let mine = normalised(parameters[name])
            let theirs = normalised(other.parameters[name])
            if strict.contains(name) {
                guard mine == theirs else { return false }
            } else if let mine, let theirs, mine != theirs {
                return false
            }
        }
        return true
    }

    private static func telDigits(_ number: String?) -> String? {
        number.map { String($0.filter { !"-.()".contains($0) }).lowercased() }
    }
}
