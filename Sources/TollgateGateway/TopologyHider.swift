import NIOCore
import SIPCore

/// Keeps the inside of the network out of everything sent to the external zone.
///
/// Towards the outside it: removes internal-only headers (a configurable list with `*` globs);
/// keeps only Tollgate's own Record-Route values; points every Contact at Tollgate's external
/// address; replaces internal addresses wherever else they appear — Request-URI, From, To,
/// P-Asserted-Identity, any other header (the SDP of calls is masked by ``SDPMaskingHook``); and swaps a Call-ID that
/// names an internal host for an opaque one, mapped back on the way in. Via values of the inside
/// never leave: the proxy sends requests out with its own Via only.
struct TopologyHider {
    /// Internal host names and addresses (lowercased, IPv6 without brackets).
    let internalHosts: Set<String>
    /// The same, each with its bytes, for the search that rules most values out before any rewriting.
    private let internalHostList: [(name: String, bytes: [UInt8])]
    var stripExact: Set<String>
    var stripPrefixes: [String]

    /// ``shouldStrip(_:)`` for each header SIPCore knows, by its raw value (decided once).
    private var stripKnown: [Bool] = []

    init(internalHosts: Set<String>, stripHeaders: [String]) {
        self.internalHosts = Set(internalHosts.map { $0.lowercased() }.filter { !$0.isEmpty })
        self.internalHostList = self.internalHosts.map { ($0, Array($0.utf8)) }
        let strip = stripHeaders.map { $0.lowercased() }
        stripExact = Set(strip.filter { !$0.hasSuffix("*") })
        stripPrefixes = strip.filter { $0.hasSuffix("*") }.map { String($0.dropLast()) }
        var stripKnown = [Bool](repeating: false, count: Int(SIPHeaderName.Known.allCases.map(\.rawValue).max() ?? 0) + 1)
        for known in SIPHeaderName.Known.allCases {
            stripKnown[Int(known.rawValue)] = strips(loweredName: SIPHeaderName(known).text.lowercased())
        }
        self.stripKnown = stripKnown
    }

    func shouldStrip(_ name: SIPHeaderName) -> Bool {
        if let known = name.known { return stripKnown[Int(known.rawValue)] }
        return strips(loweredName: name.text.lowercased())
    }

    private func strips(loweredName lowered: String) -> Bool {
        stripExact.contains(lowered) || stripPrefixes.contains { lowered.hasPrefix($0) }
    }

    /// Rewrites a message about to leave through the external listener at `external` (host:port).
    /// `ownRecordRoute` says whether a Record-Route value is Tollgate's.
    func mask(_ message: inout SIPMessage, externalHost: String, externalHostPort: String, callIDs: CallIDMap,
              ownRecordRoute: (String) -> Bool) {
        message.removeHeaders { shouldStrip($0) }
        if message.contains(.recordRoute) {
            let kept = message.values(of: .recordRoute).filter(ownRecordRoute)
            message.removeHeaders(.recordRoute)
            for (offset, value) in kept.enumerated() { message.insertHeader(.recordRoute, value, at: offset) }
        }
        if let uri = message.requestURIText {
            let masked = replacingInternalHosts(in: uri, with: externalHost)
            if masked != uri { message.setRequestURI(masked) }
        }
        let isRegisterResponse = message.isResponse && (try? message.cseq().method) == .register
        let hosts = internalHostList
        message.rewriteHeaderValues(mayRewrite: { known, value in
            switch known {
            case .via: false
            case .callID: true
            case .contact: !isRegisterResponse
            default: hosts.contains { SIPByteSearch.mayContain($0.bytes, in: value) }
            }
        }) { name, value in
            switch name.known {
            case .callID:
                return callIDs.external(for: value, internalHosts: internalHosts, externalHost: externalHost)
            case .contact:
                // The Contacts of a REGISTER's answer are the phone's own bindings, restored already.
                if isRegisterResponse { return nil }
                return maskContact(value, externalHostPort: externalHostPort)
            default:
                let masked = replacingInternalHosts(in: value, with: externalHost)
                return masked == value ? nil : masked
            }
        }
    }

    /// Replaces internal hosts in the message's body (the SDP of an offer or answer leaving towards
    /// the outside; ``SDPMaskingHook`` calls it).
    func maskBody(_ message: inout SIPMessage, externalHost: String) {
        let hosts = internalHostList
        guard !message.bodyBytes.isEmpty,
            message.bodyBytes.withUnsafeBufferPointer({ body in hosts.contains { SIPByteSearch.mayContain($0.bytes, in: body) } })
        else { return }
        let body = message.bodyText
        let masked = replacingInternalHosts(in: body, with: externalHost)
        if masked != body { message.body = Array(masked.utf8) }
    }

    /// Every Contact URI's host and port become Tollgate's external address; user and parameters stay.
    func maskContact(_ value: String, externalHostPort: String) -> String? {
        guard value != "*" else { return nil }
        var parts: [String] = []
        var changed = false
        for item in splitTopLevel(value) {
            let item = String(item)
            guard var address = try? SIPNameAddress(parsing: item), address.uri.isSIP else {
                parts.append(replacingInternalHosts(in: item, with: externalHostPort))
                changed = true
                continue
            }
            let (host, port) = splitHostPort(externalHostPort)
            address.uri.host = host
            address.uri.port = port
            address.uri.parameters.remove("maddr")
            address.uri.parameters.remove("ob")
            parts.append(address.description)
            changed = true
        }
        return changed ? parts.joined(separator: ", ") : nil
    }

    /// `text` with every internal host, as a whole host token, replaced by `replacement`.
    func replacingInternalHosts(in text: String, with replacement: String) -> String {
        var result = text
        for host in internalHostList where result.withUTF8({ SIPByteSearch.mayContain(host.bytes, in: $0) }) {
            result = Self.replaceHost(host.name, in: result, with: replacement)
        }
        return result
    }

    /// Replaces `host` where it stands as a host: not preceded or followed by a character that
    /// would make it part of a longer name or address (so 127.0.0.2 does not match 127.0.0.20).
    static func replaceHost(_ host: String, in text: String, with replacement: String) -> String {
        let haystack = Array(text.utf8)
        let needle = Array(host.lowercased().utf8)
        guard needle.count <= haystack.count, !needle.isEmpty else { return text }
        func isHostByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_")
        }
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count {
                var match = true
                for offset in 0..<needle.count where (haystack[index + offset] | (haystack[index + offset] >= 0x41 && haystack[index + offset] <= 0x5A ? 0x20 : 0)) != needle[offset] {
                    match = false
                    break
                }
                if match {
                    let before = index > 0 ? haystack[index - 1] : 0x20
                    let after = index + needle.count < haystack.count ? haystack[index + needle.count] : 0x20
                    let afterDotDigit = after == UInt8(ascii: ".") && index + needle.count + 1 < haystack.count
                        && isHostByte(haystack[index + needle.count + 1])
                    if !isHostByte(before), before != UInt8(ascii: "."), !isHostByte(after), !afterDotDigit {
                        out.append(contentsOf: replacement.utf8)
                        index += needle.count
                        continue
                    }
                }
            }
            out.append(haystack[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The comma-separated items of a header value (commas inside quotes or `<...>` do not
    /// separate), each without the spaces and tabs around it; empty items are left out.
    private func splitTopLevel(_ value: String) -> [Substring] {
        var items: [Substring] = []
        let utf8 = value.utf8
        var start = utf8.startIndex
        var inQuotes = false
        var inAngle = false
        var index = start
        while index != utf8.endIndex {
            switch utf8[index] {
            case UInt8(ascii: "\""): inQuotes.toggle()
            case UInt8(ascii: "<") where !inQuotes: inAngle = true
            case UInt8(ascii: ">") where !inQuotes: inAngle = false
            case UInt8(ascii: ",") where !inQuotes && !inAngle:
                let item = Self.trimmed(value[start..<index])
                if !item.isEmpty { items.append(item) }
                start = utf8.index(after: index)
            default: break
            }
            index = utf8.index(after: index)
        }
        let last = Self.trimmed(value[start...])
        if !last.isEmpty { items.append(last) }
        return items
    }

    /// `text` without the spaces and tabs at either end.
    private static func trimmed(_ text: Substring) -> Substring {
        let utf8 = text.utf8
        var lower = utf8.startIndex
        var upper = utf8.endIndex
        while lower != upper, utf8[lower] == 0x20 || utf8[lower] == 0x09 { lower = utf8.index(after: lower) }
        while upper != lower {
            let before = utf8.index(before: upper)
            guard utf8[before] == 0x20 || utf8[before] == 0x09 else { break }
            upper = before
        }
        return text[lower..<upper]
    }

    private func splitHostPort(_ hostPort: String) -> (String, UInt16?) {
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            let host = String(hostPort[...close])
            let rest = hostPort[hostPort.index(after: close)...]
            return (host, rest.hasPrefix(":") ? UInt16(rest.dropFirst()) : nil)
        }
        if let colon = hostPort.lastIndex(of: ":") {
            return (String(hostPort[..<colon]), UInt16(hostPort[hostPort.index(after: colon)...]))
        }
        return (hostPort, nil)
    }
}

/// Call-IDs that name an internal host, swapped for opaque ones towards the outside and back.
/// Entries are dropped by ``sweep(olderThan:)`` once a call is long over.
final class CallIDMap {
    private var toExternal: [String: (external: String, lastUsed: UInt64)] = [:]
    private var toInternal: [String: String] = [:]
    private var counter: UInt64 = 0
    private let salt = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    /// A clock in seconds, for the sweep.
    var now: () -> UInt64 = { NIODeadline.now().uptimeNanoseconds / 1_000_000_000 }

    var count: Int { toExternal.count }

    /// The Call-ID to show outside: unchanged unless it names an internal host.
    func external(for callID: String, internalHosts: Set<String>, externalHost: String) -> String? {
        if let known = toExternal[callID] {
            toExternal[callID]?.lastUsed = now()
            return known.external
        }
        guard internalHosts.contains(where: { Self.contains($0, in: callID) }) else { return nil }
        counter += 1
        let external = "tg\(String(counter, radix: 36))\(salt)@\(externalHost)"
        toExternal[callID] = (external, now())
        toInternal[external] = callID
        return external
    }

    /// Whether `text` holds `lowered` (lowercase) with ASCII letters compared case-insensitively.
    static func contains(_ lowered: String, in text: String) -> Bool {
        var text = text
        var lowered = lowered
        return text.withUTF8 { haystack in
            lowered.withUTF8 { needle in
                guard !needle.isEmpty else { return true }
                guard needle.count <= haystack.count else { return false }
                for start in 0...(haystack.count - needle.count) {
                    var offset = 0
                    while offset < needle.count {
                        let byte = haystack[start + offset]
                        let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                        guard folded == needle[offset] else { break }
                        offset += 1
                    }
                    if offset == needle.count { return true }
                }
                return false
            }
        }
    }

    /// The Call-ID to use inside for one seen outside.
    func `internal`(for callID: String) -> String? { toInternal[callID] }

    /// Forgets the mapping of an inside Call-ID (its dialog ended).
    func remove(internal callID: String) {
        guard let entry = toExternal.removeValue(forKey: callID) else { return }
        toInternal[entry.external] = nil
    }

    func sweep(olderThan seconds: UInt64, keeping active: Set<String> = []) {
        let limit = now() &- seconds
        for (internalID, entry) in toExternal where entry.lastUsed < limit && !active.contains(internalID) {
            toExternal[internalID] = nil
            toInternal[entry.external] = nil
        }
    }
}
