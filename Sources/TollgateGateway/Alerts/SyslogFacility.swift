/// The syslog facilities of RFC 5424 §6.2.1, by their usual names.
public enum SyslogFacility: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp
    /// Log audit (13).
    case audit
    /// Log alert (14).
    case alert
    /// Clock daemon (15).
    case clock
    case local0, local1, local2, local3, local4, local5, local6, local7

    /// The numeric code: 0 for `kern` to 23 for `local7`.
    public var code: Int {
        switch self {
        case .kern: 0
        case .user: 1
        case .mail: 2
        case .daemon: 3
        case .auth: 4
        case .syslog: 5
        case .lpr: 6
        case .news: 7
        case .uucp: 8
        case .cron: 9
        case .authpriv: 10
        case .ftp: 11
        case .ntp: 12
        case .audit: 13
        case .alert: 14
        case .clock: 15
        case .local0: 16
        case .local1: 17
        case .local2: 18
        case .local3: 19
        case .local4: 20
        case .local5: 21
        case .local6: 22
        case .local7: 23
        }
    }

    /// The facility with name `name` (any case), e.g. `local0`, or `nil`.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    public var description: String { self.rawValue }
}
