import TollgateStore
import TollgateModel

/// Turns a security event into one RFC 5424 syslog message:
///
///     <132>1 2026-11-24T18:13:54.250Z gw1 tollgate 4242 ban [tollgate@32473 kind="ban" source="203.0.113.9" rule="auth-failures"] 10 failed registrations in 60 s
///
/// PRI is `facility * 8 + severity` with the event severity mapped to syslog's (info 6, notice 5,
/// warning 4, critical 2). MSGID is the event kind. The structured data element carries kind, source
/// and rule, escaped as §6.3.3 asks (`"`, `\` and `]` behind a backslash). MSG is the detail as plain
/// UTF-8 without a byte order mark (RFC 5424's MSG-ANY). A message never exceeds
/// ``maximumLength`` bytes: the detail is cut first, always between two UTF-8 characters.
struct SyslogMessageFormatter: Sendable {
    /// The longest message sent: RFC 5424 §6.1 has every receiver accept 2048 octets.
    static let maximumLength = 2048
    /// The SD-ID: `tollgate` under the example private enterprise number 32473 of RFC 5612.
    static let structuredDataID = "tollgate@32473"
    /// Each structured data value is cut to this many bytes before escaping, so that the header and
    /// structured data always leave room for the message.
    static let maximumParameterValueLength = 192

    let facility: SyslogFacility
    let hostname: String
    let appName: String
    let processID: String

    init(facility: SyslogFacility, hostname: String, appName: String, processID: String) {
        self.facility = facility
        self.hostname = Self.headerField(hostname, maximumLength: 255)
        self.appName = Self.headerField(appName, maximumLength: 48)
        self.processID = Self.headerField(processID, maximumLength: 128)
    }

    /// The syslog severity of an event severity.
    static func severityCode(_ severity: SecurityEvent.Severity) -> Int {
        switch severity {
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .critical: 2
        }
    }

    /// The PRI value of an event: facility times eight plus severity.
    func priority(_ severity: SecurityEvent.Severity) -> Int {
        self.facility.code * 8 + Self.severityCode(severity)
    }

    /// The complete message, at most ``maximumLength`` bytes.
    func format(_ event: SecurityEvent) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(256 + event.detail.utf8.count)
        message.append(contentsOf: "<\(self.priority(event.severity))>1 ".utf8)
        message.append(contentsOf: AlertTimestamp.rfc3339(event.time).utf8)
        for field in [self.hostname, self.appName, self.processID, Self.headerField(event.kind, maximumLength: 32)] {
            message.append(UInt8(ascii: " "))
            message.append(contentsOf: field.utf8)
        }
        message.append(contentsOf: " [\(Self.structuredDataID)".utf8)
        for (name, value) in [("kind", event.kind), ("source", event.source), ("rule", event.rule)] {
            message.append(contentsOf: " \(name)=\"".utf8)
            Self.appendEscaped(Self.utf8Prefix(value.utf8, maximumLength: Self.maximumParameterValueLength), to: &message)
            message.append(UInt8(ascii: "\""))
        }
        message.append(UInt8(ascii: "]"))

        if !event.detail.isEmpty && message.count + 1 < Self.maximumLength {
            message.append(UInt8(ascii: " "))
            message.append(
                contentsOf: Self.utf8Prefix(event.detail.utf8, maximumLength: Self.maximumLength - message.count)
            )
        }
        if message.count > Self.maximumLength {
            // Only reachable with header fields longer than the limits above allow; kept as a guard.
            message = Array(Self.utf8Prefix(message, maximumLength: Self.maximumLength))
        }
        return message
    }

    /// A header field (HOSTNAME, APP-NAME, PROCID, MSGID): printable US-ASCII without spaces, at most
    /// `maximumLength` characters, `-` (the NILVALUE) when empty. Other characters become `_`.
    static func headerField(_ text: String, maximumLength: Int) -> String {
        let bytes = text.utf8.prefix(maximumLength).map { (33...126).contains($0) ? $0 : UInt8(ascii: "_") }
        return bytes.isEmpty ? "-" : String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a PARAM-VALUE with `"`, `\` and `]` escaped.
    static func appendEscaped(_ value: some Sequence<UInt8>, to message: inout [UInt8]) {
        for byte in value {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "]") {
                message.append(UInt8(ascii: "\\"))
            }
            message.append(byte)
        }
    }

    /// At most `maximumLength` bytes of `bytes`, cut before a UTF-8 continuation byte so that no
    /// character is split.
    static func utf8Prefix<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes, maximumLength: Int) -> Bytes.SubSequence {
        guard bytes.count > maximumLength else {
            return bytes[...]
        }
        var end = bytes.index(bytes.startIndex, offsetBy: max(0, maximumLength))
        // Step back over continuation bytes (10xxxxxx) to the start of the character that was cut.
        while end > bytes.startIndex && bytes[end] & 0xC0 == 0x80 {
            end = bytes.index(end, offsetBy: -1)
        }
        return bytes[..<end]
    }
}
