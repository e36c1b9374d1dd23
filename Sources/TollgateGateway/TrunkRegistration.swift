import NIOCore
import SIPCore
import TollgateConfig

/// One trunk's outbound registration (RFC 3261 §10.2) as a pure state machine.
///
/// It decides what to send and when, and nothing else: each input (start, a response, a
/// transaction timeout, the timer firing, stop) returns the ``Action``s the driver carries out —
/// send a REGISTER, set or cancel the one refresh/retry timer, report a change. Timers are values
/// here; the proxy owns the sockets, the transactions and the timing wheel.
///
/// Every cycle (the first registration, each refresh, each retry) starts without credentials; a
/// 401 or 407 is answered once with the trunk's Digest credentials (only for the configured realm,
/// if one is set). A second challenge right after the credentials is a failure — unless it says
/// `stale`, which is answered once more. A 2xx registers for the time the trunk granted and
/// schedules a refresh at 80% of it; any failure schedules a retry with a doubling back-off
/// (30 s, 60 s, … up to 10 min). Stopping unregisters (`Expires: 0`) when a binding may exist.
struct TrunkRegistration: Sendable {
    /// Where the registration stands.
    enum Phase: String, Sendable, Hashable {
        /// Not started.
        case idle
        /// A REGISTER is in flight.
        case registering
        /// The trunk accepted the binding; a refresh is scheduled.
        case registered
        /// The last attempt failed; a retry is scheduled.
        case failed
        /// An unregistering REGISTER (`Expires: 0`) is in flight.
        case unregistering
        /// Stopped; nothing more is sent.
        case stopped
    }

    /// Credentials to put in a REGISTER: the header (Authorization or Proxy-Authorization) and its value.
    struct Credentials: Sendable, Hashable {
        var header: SIPHeaderName
        var value: SIPAuthorization
    }

    /// What to send: everything else in the REGISTER (Call-ID, tags, Contact) stays the same across requests.
    struct Request: Sendable, Hashable {
        var cseq: UInt32
        /// The Expires value: the lifetime asked for, 0 to unregister.
        var expires: Int
        var credentials: Credentials?
    }

    /// A final or provisional response to one of our REGISTERs, reduced to what the state machine reads.
    struct Response: Sendable, Hashable {
        var status: Int
        var cseq: UInt32
        /// The Digest challenges of a 401 or 407, in the server's order.
        var challenges: [SIPAuthorization] = []
        /// The lifetime granted to our binding: its Contact's `expires`, else the Expires header.
        var grantedExpiry: Int?
        /// Min-Expires of a 423.
        var minExpires: Int?
    }

    /// What the driver must do, in order.
    enum Action: Sendable, Hashable {
        /// Send a REGISTER (a new client transaction).
        case send(Request)
        /// (Re)set the registration's timer; when it fires, call ``timerFired()``.
        case schedule(after: TimeAmount)
        /// Cancel the registration's timer.
        case cancelTimer
        /// The trunk accepted the binding for `expires` seconds; `renewed` when it was a refresh of a live registration.
        case registered(expires: Int, renewed: Bool)
        /// The attempt failed; the next one is in `retryIn`.
        case failed(reason: String, retryIn: TimeAmount)
        /// The unregistration ended: `nil` when the trunk confirmed it, else why not.
        case unregistered(failure: String?)
    }

    /// The trunk's name, for reports.
    let trunk: String
    let credentials: TrunkCredentials
    /// The Request-URI, also the `uri` of the Digest credentials.
    let requestURI: String

    private(set) var phase: Phase = .idle
    /// The CSeq of the last REGISTER sent; responses to older ones are ignored.
    private(set) var cseq: UInt32 = 0
    /// The lifetime the trunk granted, while registered.
    private(set) var grantedExpiry: Int?
    /// Failed attempts in a row; sets the back-off.
    private(set) var failures = 0
    /// Why the last attempt failed, until one succeeds.
    private(set) var lastFailure: String?

    /// The lifetime asked for in this cycle (raised by a 423's Min-Expires).
    private var expires: Int
    /// Whether the request in flight carries credentials.
    private var sentCredentials = false
    private var answeredStale = false
    private var raisedForMinimum = false
    /// Whether this cycle refreshes a live registration.
    private var renewing = false

    /// The shortest and longest wait before a retry after a failure.
    static let firstRetry: TimeAmount = .seconds(30)
    static let longestRetry: TimeAmount = .minutes(10)

    init(trunk: String, credentials: TrunkCredentials, requestURI: String) {
        self.trunk = trunk
        self.credentials = credentials
        self.requestURI = requestURI
        self.expires = credentials.registerExpires
    }

    // MARK: - Inputs

    /// Registers for the first time.
    mutating func start() -> [Action] {
        guard phase == .idle else { return [] }
        return beginCycle()
    }

    /// The refresh or retry timer fired.
    mutating func timerFired() -> [Action] {
        guard phase == .registered || phase == .failed else { return [] }
        return beginCycle()
    }

    /// A response to a REGISTER arrived. `cnonce` is a fresh client nonce, used if the response is a challenge.
    mutating func receive(_ response: Response, cnonce: String) -> [Action] {
        guard response.cseq == cseq, phase == .registering || phase == .unregistering else { return [] }
        switch response.status {
        case ..<200:
            return []
        case 200..<300:
            return accepted(response)
        case 401, 407:
            return challenged(response, cnonce: cnonce)
        case 423:
            if phase == .registering, !raisedForMinimum, let minimum = response.minExpires, minimum > expires {
                raisedForMinimum = true
                expires = minimum
                sentCredentials = false
                answeredStale = false
                return [.send(nextRequest(credentials: nil))]
            }
            return failed("answered 423 Interval Too Brief")
        default:
            return failed("answered \(response.status)")
        }
    }

    /// The REGISTER with `cseq` got no final answer in time (timer F).
    mutating func timedOut(cseq: UInt32) -> [Action] {
        guard cseq == self.cseq, phase == .registering || phase == .unregistering else { return [] }
        return failed("no answer")
    }

    /// Stops: unregisters when a binding may exist (registered, or a REGISTER in flight), else just stops.
    mutating func stop() -> [Action] {
        switch phase {
        case .registered, .registering:
            phase = .unregistering
            sentCredentials = false
            answeredStale = false
            grantedExpiry = nil
            return [.cancelTimer, .send(nextRequest(credentials: nil))]
        case .idle, .failed:
            phase = .stopped
            return [.cancelTimer]
        case .unregistering, .stopped:
            return []
        }
    }

    // MARK: - Timing

    /// When to refresh a registration granted for `expires` seconds: at 80% of it.
    static func refreshDelay(granted expires: Int) -> TimeAmount {
        .milliseconds(Int64(max(expires, 1)) * 800)
    }

    /// How long to wait after `failures` failed attempts in a row: 30 s, doubling, at most 10 min.
    static func retryDelay(afterFailures failures: Int) -> TimeAmount {
        let doublings = Int64(min(max(failures - 1, 0), 10))
        return .nanoseconds(min(firstRetry.nanoseconds << doublings, longestRetry.nanoseconds))
    }

    // MARK: - Transitions

    private mutating func beginCycle() -> [Action] {
        renewing = phase == .registered
        phase = .registering
        expires = credentials.registerExpires
        sentCredentials = false
        answeredStale = false
        raisedForMinimum = false
        return [.cancelTimer, .send(nextRequest(credentials: nil))]
    }

    private mutating func nextRequest(credentials: Credentials?) -> Request {
        cseq &+= 1
        return Request(cseq: cseq, expires: phase == .unregistering ? 0 : expires, credentials: credentials)
    }

    private mutating func accepted(_ response: Response) -> [Action] {
        if phase == .unregistering {
            phase = .stopped
            return [.unregistered(failure: nil)]
        }
        let granted = response.grantedExpiry ?? expires
        guard granted > 0 else { return failed("the trunk granted no time to the binding") }
        phase = .registered
        grantedExpiry = granted
        failures = 0
        lastFailure = nil
        return [.registered(expires: granted, renewed: renewing), .schedule(after: Self.refreshDelay(granted: granted))]
    }

    private mutating func challenged(_ response: Response, cnonce: String) -> [Action] {
        if sentCredentials {
            // The credentials were refused, unless only the nonce had run out (stale), which is answered once.
            guard !answeredStale, response.challenges.contains(where: \.stale) else {
                return failed("credentials refused (\(response.status) again after answering the challenge)")
            }
            answeredStale = true
        }
        guard let (_, header) = TrunkDigest.headers(forStatus: response.status) else { return failed("answered \(response.status)") }
        do {
            let value = try TrunkDigest.answer(response.challenges, credentials: credentials, method: SIPMethod.register.token,
                                               uri: requestURI, cnonce: cnonce)
            sentCredentials = true
            return [.send(nextRequest(credentials: Credentials(header: header, value: value)))]
        } catch {
            return failed(error.description)
        }
    }

    private mutating func failed(_ reason: String) -> [Action] {
        if phase == .unregistering {
            phase = .stopped
            return [.unregistered(failure: reason)]
        }
        phase = .failed
        grantedExpiry = nil
        failures += 1
        lastFailure = reason
        let delay = Self.retryDelay(afterFailures: failures)
        return [.failed(reason: reason, retryIn: delay), .schedule(after: delay)]
    }
}

extension TrunkRegistration.Response {
    /// Reads a response to a REGISTER whose Contact was `contact`.
    ///
    /// The granted lifetime is the `expires` of the Contact that is ours (same user, host and port),
    /// else the Expires header; `nil` if neither is there.
    init?(_ message: SIPMessage, contact: SIPURI) {
        guard let status = message.statusCode, let cseq = try? message.cseq() else { return nil }
        self.status = status
        self.cseq = cseq.sequence
        self.challenges = TrunkDigest.challenges(in: message)
        let ours = ((try? message.contacts()) ?? []).first { entry in
            guard let uri = entry.address?.uri else { return false }
            return uri.unescapedUser == contact.unescapedUser && uri.hostAddress == contact.hostAddress
                && (uri.port ?? 5060) == (contact.port ?? 5060)
        }
        if let expires = ours?.expires {
            grantedExpiry = Int(expires)
        } else if let expires = (try? message.expires()) ?? nil {
            grantedExpiry = Int(expires)
        }
        if let minimum = message.firstValue(of: SIPHeaderName(.minExpires)).flatMap({ UInt32($0) }) {
            minExpires = Int(minimum)
        }
    }
}
