/// Where security events are sent as they happen, besides the log and the store.
public struct AlertsConfig: Sendable, Hashable, Codable {
    /// A webhook: each event is POSTed as JSON, retried on failure. Header values (tokens) are
    /// redacted when the configuration is encoded or printed.
    public struct Webhook: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
        /// An `http://` or `https://` URL.
        public var url: String
        /// Extra request headers, e.g. `Authorization: Bearer …` (values are never shown or logged).
        public var headers: [String: String]
        /// Events below this severity are not sent: info, notice, warning or critical.
        public var minSeverity: String
        /// Delivery attempts per event before it is given up.
        public var attempts: Int
        /// Seconds to wait for the connection and the answer.
        public var timeout: Double

        public init(url: String, headers: [String: String] = [:], minSeverity: String = "warning", attempts: Int = 5, timeout: Double = 5) {
            self.url = url
            self.headers = headers
            self.minSeverity = minSeverity
            self.attempts = attempts
            self.timeout = timeout
        }

        private enum CodingKeys: String, CodingKey { case url, headers, minSeverity, attempts, timeout }

        /// Encodes the webhook with every header value replaced by ``TrunkCredentials/redactedPassword``.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(url, forKey: .url)
            try container.encode(headers.mapValues { _ in TrunkCredentials.redactedPassword }, forKey: .headers)
            try container.encode(minSeverity, forKey: .minSeverity)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(timeout, forKey: .timeout)
        }

        /// A summary with header values redacted.
        public var description: String {
            "Webhook(url: \(url), headers: \(headers.keys.sorted()), minSeverity: \(minSeverity), attempts: \(attempts), timeout: \(timeout))"
        }

        public var debugDescription: String { description }
    }

    /// A syslog collector, RFC 5424 over UDP.
    public struct Syslog: Sendable, Hashable, Codable {
        /// The collector's host (IP address or name).
        public var host: String
        /// Its UDP port (514 by default).
        public var port: Int
        /// The facility name: kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron,
        /// authpriv, ftp, local0 … local7.
        public var facility: String
        /// Events below this severity are not sent.
        public var minSeverity: String

        public init(host: String, port: Int = 514, facility: String = "local0", minSeverity: String = "notice") {
            self.host = host
            self.port = port
            self.facility = facility
            self.minSeverity = minSeverity
        }
    }

    public var webhook: Webhook?
    public var syslog: Syslog?
    /// The name alerts give for this gateway (default: the host name).
    public var node: String?

    public init(webhook: Webhook? = nil, syslog: Syslog? = nil, node: String? = nil) {
        self.webhook = webhook
        self.syslog = syslog
        self.node = node
    }

    /// The severities, lowest first.
    public static let severities = ["info", "notice", "warning", "critical"]
    /// The syslog facility names, in code order.
    public static let facilities = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]
}
