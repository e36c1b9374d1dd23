import Foundation
import TollgateConfig
import TollgateModel

/// `tollgate drill failover`: an untested failover plan is a false promise. For the route a test
/// number takes, each trunk is taken out of the rotation in turn — the gateway's own routing order,
/// minus that trunk — and the trunk calls would go to instead is asked; the step passes when one
/// answers. The running gateway is not touched: nothing has to be put back.
public struct FailoverDrill: Sendable {
    public var config: TollgateConfig
    public var testNumber: String

    public init(config: TollgateConfig, testNumber: String) {
        self.config = config
        self.testNumber = testNumber
    }

    /// Runs the drill; `ask` probes a trunk and returns the status it answered (nil: no answer).
    /// Each trunk is asked once.
    public func run(at time: Date, ask: (TrunkConfig) async -> Int?) async -> FailoverDrillResult {
        let order = config.trunksInOrder(for: testNumber)
        guard !order.isEmpty else {
            return FailoverDrillResult(time: time, testNumber: testNumber, steps: [
                .init(trunkOut: "-", through: nil, detail: "no route takes \(testNumber)", passed: false),
            ])
        }
        guard order.count > 1 else {
            return FailoverDrillResult(time: time, testNumber: testNumber, steps: [
                .init(trunkOut: order[0].name, through: nil,
                      detail: "\(order[0].name) is the only trunk on the route of \(testNumber): there is nothing to fail over to", passed: false),
            ])
        }
        var answers: [String: Int?] = [:]
        var steps: [FailoverDrillResult.Step] = []
        for out in order {
            var tried: [String] = []
            var through: (String, Int)?
            for candidate in order where candidate.name != out.name {
                let answer: Int?
                if let known = answers[candidate.name] {
                    answer = known
                } else {
                    answer = await ask(candidate)
                    answers[candidate.name] = answer
                }
                if let status = answer, status != 503 {
                    through = (candidate.name, status)
                    break
                }
                tried.append("\(candidate.name) \(answer.map { "answered \($0)" } ?? "did not answer")")
            }
            if let (name, status) = through {
                let before = tried.isEmpty ? "" : " (after \(tried.joined(separator: ", ")))"
                steps.append(.init(trunkOut: out.name, through: name,
                                   detail: "with \(out.name) out, calls to \(testNumber) go to \(name), which answered \(status)\(before)", passed: true))
            } else {
                steps.append(.init(trunkOut: out.name, through: nil,
                                   detail: "with \(out.name) out, no other trunk answers: \(tried.joined(separator: ", "))", passed: false))
            }
        }
        return FailoverDrillResult(time: time, testNumber: testNumber, steps: steps)
    }
}
