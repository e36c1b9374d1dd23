import Foundation
import TollgateModel

/// An `x5u` URL Tollgate agrees to fetch: https, no user information, query or fragment, and a host
/// and port the operator allows. A verifier fetches URLs chosen by whoever sent the call, so this is
/// what keeps it from being an SSRF tool; addresses are checked again once resolved (``CertificateURLPolicy``).
public struct CertificateURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The path as written, `/` when empty.
    public var path: String
    /// The URL exactly as the PASSporT gave it (the cache's key).
    public var text: String

    public var description: String { text }

    /// Whether the host is an address literal (no DNS, no SNI).
    public var hostIsAddress: Bool { IPAddress(host) != nil }

    /// Reads an https URL; nil for anything else.
    public init?(_ text: String) {
        guard text.count <= 2048, text.lowercased().hasPrefix("https://") else { return nil }
        let rest = text.dropFirst("https://".count)
        guard !rest.contains("?"), !rest.contains("#"), !rest.contains(" ") else { return nil }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host: Substring
        var port = 443
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            host = authority[..<colon]
            port = value
        } else {
            host = authority
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" }) else { return nil }
        self.host = host.lowercased()
        self.port = port
        self.path = slash == rest.endIndex ? "/" : String(rest[slash...])
        self.text = text
    }
}

/// Which `x5u` hosts and ports may be fetched.
///
/// With no allow-list any host is allowed on ports 443 and 8443, as long as it resolves to a public
/// address. An entry `host` allows that host (or, as `*.example.net`, its subdomains) on 443 and
/// 8443; `host:port` that port only. Loopback, private, link-local and other internal addresses are
/// refused, unless the operator lists the address literally (a certificate server on the inside).
public struct CertificateURLPolicy: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var host: String
        public var port: Int?
    }

    public var entries: [Entry]

    public init(allow: [String] = []) {
        entries = allow.compactMap { text in
            let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
            if lowered.hasPrefix("["), let close = lowered.firstIndex(of: "]") {
                let host = String(lowered[lowered.index(after: lowered.startIndex)..<close])
                let port = lowered[lowered.index(after: close)...].dropFirst()
                return Entry(host: host, port: Int(port))
            }
            let parts = lowered.split(separator: ":")
            if parts.count == 2, let port = Int(parts[1]) { return Entry(host: String(parts[0]), port: port) }
            return lowered.isEmpty ? nil : Entry(host: lowered, port: nil)
        }
    }

    /// Whether the URL's host and port may be asked at all.
    public func allows(_ url: CertificateURL) -> Bool {
        if entries.isEmpty { return [443, 8443].contains(url.port) }
        return entries.contains { entry in
            let hostMatches = entry.host.hasPrefix("*.") ? url.host.hasSuffix(entry.host.dropFirst()) : entry.host == url.host
            guard hostMatches else { return false }
            if let port = entry.port { return port == url.port }
            return [443, 8443].contains(url.port)
        }
    }

    /// Whether `address` (what the URL's host resolved to) may be connected to.
    public func allows(address: String, for url: CertificateURL) -> Bool {
        guard Self.isInternal(address) else { return true }
        let resolved = IPAddress(address)
        return entries.contains { IPAddress($0.host) == resolved && ($0.port == nil || $0.port == url.port) }
    }

    /// Loopback, private (RFC 1918, RFC 4193), link-local, CGNAT, unspecified, multicast, benchmarking
    /// and IPv4-mapped forms of them.
    public static func isInternal(_ address: String) -> Bool {
        guard let parsed = IPAddress(address) else { return true }
        return internalRanges.contains { $0.contains(parsed) }
    }

    static let internalRanges: [AddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3", "::/127", "fc00::/7", "fe80::/10", "ff00::/8",
    ].compactMap { try? AddressRange(parsing: $0) }
}
