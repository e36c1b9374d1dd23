/// A SIP request method (RFC 3261 §7.1 and extensions).
///
/// Methods are case-sensitive tokens: `invite` is not `INVITE`, and `IN%56ITE` is an unknown
/// method, not an escaped `INVITE` (RFC 4475 §3.1.1.2).
public enum SIPMethod: Sendable, Hashable, CustomStringConvertible {
    case invite, ack, bye, cancel, register, options, info, update, prack, subscribe, notify, refer
    case message, publish
    /// Any other token.
    case other(String)

    /// A method from its token; unknown tokens become ``other(_:)``.
    public init(_ token: String) {
        var token = token
        self = token.withUTF8 { SIPMethod(bytes: $0) }
    }

    /// A method from the raw bytes of its token.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == bytes.count else { return false }
            let pointer = literal.utf8Start
            for index in 0..<bytes.count where pointer[index] != bytes[index] { return false }
            return true
        }
        switch bytes.count {
        case 3:
            if equals("ACK") { self = .ack; return }
            if equals("BYE") { self = .bye; return }
        case 4:
            if equals("INFO") { self = .info; return }
        case 5:
            if equals("PRACK") { self = .prack; return }
            if equals("REFER") { self = .refer; return }
        case 6:
            if equals("INVITE") { self = .invite; return }
            if equals("CANCEL") { self = .cancel; return }
            if equals("UPDATE") { self = .update; return }
            if equals("NOTIFY") { self = .notify; return }
        case 7:
            if equals("OPTIONS") { self = .options; return }
            if equals("MESSAGE") { self = .message; return }
            if equals("PUBLISH") { self = .publish; return }
        case 8:
            if equals("REGISTER") { self = .register; return }
        case 9:
            if equals("SUBSCRIBE") { self = .subscribe; return }
        default:
            break
        }
        self = .other(String(decoding: bytes, as: UTF8.self))
    }

    /// The method's token as written on the wire.
    public var token: String {
        switch self {
        case .invite: "INVITE"
        case .ack: "ACK"
        case .bye: "BYE"
        case .cancel: "CANCEL"
        case .register: "REGISTER"
        case .options: "OPTIONS"
        case .info: "INFO"
        case .update: "UPDATE"
        case .prack: "PRACK"
        case .subscribe: "SUBSCRIBE"
        case .notify: "NOTIFY"
        case .refer: "REFER"
        case .message: "MESSAGE"
        case .publish: "PUBLISH"
        case .other(let token): token
        }
    }

    /// Whether the method is one SIPCore knows by name.
    public var isKnown: Bool {
        if case .other = self { return false }
        return true
    }

    public var description: String { token }
}
