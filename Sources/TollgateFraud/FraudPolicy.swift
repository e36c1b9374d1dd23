import Foundation

/// What a CDR replay drives: a fraud policy told of each call's start, answer and end, in time
/// order. ``FraudEngine`` is one (with `enforcing: false` for offline analysis).
public protocol FraudPolicy {
    /// A call starts; the decision carries its classification and any alarms.
    mutating func begin(_ attempt: CallAttempt) -> FraudDecision
    /// The call `callID` was answered.
    mutating func answer(callID: String, at: Date)
    /// The call `callID` ended; alarms that only an ended call can raise (short calls, minutes).
    mutating func end(callID: String, at: Date) -> [FraudAlarm]
    /// Time has reached `now`: calls in progress for too long are ended and idle state forgotten.
    mutating func expire(at now: Date) -> [String]
}

extension FraudEngine: FraudPolicy {}
