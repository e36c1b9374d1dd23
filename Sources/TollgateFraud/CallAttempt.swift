import Foundation

/// A call being set up, as the fraud policy sees it.
public struct CallAttempt: Sendable, Hashable {
    /// The caller side's Call-ID; the key the answer and the end refer to.
    public var callID: String
    /// The account the call counts against.
    public var account: String
    /// The dialled number as written (a Request-URI user part, a CDR's destination).
    public var dialled: String
    /// The caller's transport address, for events.
    public var source: String
    /// When the call started (wall clock: time rules and calendar days depend on it).
    public var time: Date

    public init(callID: String, account: String, dialled: String, source: String, time: Date) {
        self.callID = callID
        self.account = account
        self.dialled = dialled
        self.source = source
        self.time = time
    }
}

/// What the fraud policy decided about a call attempt.
public struct FraudDecision: Sendable, Hashable {
    /// The dialled number's class; `nil` when it could not be read.
    public var classification: Classification?
    /// The alarms raised, warnings and at most one critical; the critical one (if any) is why
    /// the call is rejected.
    public var alarms: [FraudAlarm]
    /// The SIP status to reject with; `nil` lets the call through.
    public var rejectStatus: Int?
    /// Whether this decision suspended the account.
    public var suspendedAccount: Bool

    public init(classification: Classification?, alarms: [FraudAlarm] = [], rejectStatus: Int? = nil, suspendedAccount: Bool = false) {
        self.classification = classification
        self.alarms = alarms
        self.rejectStatus = rejectStatus
        self.suspendedAccount = suspendedAccount
    }

    /// Whether the call may go on.
    public var allowed: Bool { rejectStatus == nil }
    /// The critical alarm that rejected the call, if any.
    public var critical: FraudAlarm? { alarms.first { $0.severity == .critical } }
}
