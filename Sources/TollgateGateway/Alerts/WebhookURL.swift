/// An `http` or `https` URL split into what an HTTP/1.1 client needs: where to connect, what to send as
/// `Host`, and the request target.
public struct WebhookURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    public var scheme: String
    /// The host name or IP address to connect to, without the brackets of an IPv6 literal.
    public var host: String
    /// The port, explicit or the scheme's default (80 or 443).
    public var port: Int
    /// The request target: the path and query, never empty (`/` at least), without the fragment.
    public var requestTarget: String

    /// Whether the connection uses TLS.
    public var usesTLS: Bool { self.scheme == "https" }

    /// Whether ``host`` is an IPv4 or IPv6 literal rather than a name.
    public var hostIsIPAddress: Bool {
        self.host.contains(":") || (!self.host.isEmpty && self.host.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber })
    }

    /// The value of the `Host` header: the host (IPv6 in brackets), with the port when it is not the
    /// scheme's default.
    public var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return self.port == Self.defaultPort(self.scheme) ? host : "\(host):\(self.port)"
    }

    /// `scheme://host:port`, without the path and query, which may carry secrets; safe to log.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(self.scheme)://\(host):\(self.port)"
    }

    /// Parses `text`, an absolute `http://` or `https://` URL.
    public init(parsing text: String) throws(WebhookURLError) {
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            throw .malformed(bad == " " ? "contains a space" : "contains a control character")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw .missingScheme
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty else {
            throw .missingScheme
        }
        guard scheme == "http" || scheme == "https" else {
            throw .unsupportedScheme(scheme)
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = rest[authorityEnd...]
        if let fragment = target.firstIndex(of: "#") {
            target = target[..<fragment]
        }
        guard !authority.contains("@") else {
            throw .credentialsInURL
        }

        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .malformed("IPv6 address without a closing ]")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if afterHost.isEmpty {
                portText = nil
            } else if afterHost.hasPrefix(":") {
                portText = afterHost.dropFirst()
            } else {
                throw .malformed("unexpected characters after the IPv6 address")
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .malformed("invalid IPv6 address")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else {
            throw .missingHost
        }
        guard authority.hasPrefix("[") || host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) })
        else {
            throw .malformed("invalid host name")
        }

        let port: Int
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(portText), (1...65535).contains(number)
            else {
                throw .invalidPort(String(portText))
            }
            port = number
        } else {
            port = Self.defaultPort(scheme)
        }

        self.scheme = scheme
        self.host = String(host)
        self.port = port
        if target.isEmpty {
            self.requestTarget = "/"
        } else if target.hasPrefix("?") {
            self.requestTarget = "/" + target
        } else {
            self.requestTarget = String(target)
        }
    }

    private static func defaultPort(_ scheme: String) -> Int {
        scheme == "https" ? 443 : 80
    }
}
