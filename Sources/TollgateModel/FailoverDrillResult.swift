import Foundation

/// What a failover drill found: with each trunk out of rotation in turn, which trunk a call would
/// take instead and whether it answered.
public struct FailoverDrillResult: Sendable, Hashable, Codable {
    public struct Step: Sendable, Hashable, Codable {
        /// The trunk taken out.
        public var trunkOut: String
        /// The trunk that answered in its place, if one did.
        public var through: String?
        /// What was tried and what it answered, for the operator.
        public var detail: String
        public var passed: Bool

        public init(trunkOut: String, through: String?, detail: String, passed: Bool) {
            self.trunkOut = trunkOut
            self.through = through
            self.detail = detail
            self.passed = passed
        }
    }

    public var time: Date
    /// The number whose route was drilled.
    public var testNumber: String
    public var steps: [Step]

    public init(time: Date, testNumber: String, steps: [Step]) {
        self.time = time
        self.testNumber = testNumber
        self.steps = steps
    }

    /// Whether calls got through with every trunk out in turn.
    public var passed: Bool { !steps.isEmpty && steps.allSatisfy(\.passed) }
}
