import Foundation
import Testing
import TollgateConfig
import TollgateModel

@testable import TollgateAudit

@Suite("Failover drill: each trunk out in turn, in the gateway's routing order")
struct FailoverDrillTests {
    static let yaml = """
        listeners: [{ zone: external, listen: "udp:127.0.0.1:5060" }]
        pbx: { endpoint: "udp:127.0.0.20:5080" }
        trunks:
          - { name: main, endpoint: "udp:127.0.0.10:5090", priority: 1 }
          - { name: backup, endpoint: "udp:127.0.0.11:5090", priority: 2 }
          - { name: last, endpoint: "udp:127.0.0.12:5090", priority: 3 }
        routes:
          - { prefix: "", trunks: [last, backup, main] }
          - { prefix: "00", trunks: [main] }
        """

    func drill(_ number: String, answers: [String: Int]) async throws -> (FailoverDrillResult, [String]) {
        let asked = LockedList()
        let result = await FailoverDrill(config: try TollgateConfig(yaml: Self.yaml), testNumber: number).run(at: Date()) { trunk in
            asked.append(trunk.name)
            return answers[trunk.name]
        }
        return (result, asked.items)
    }

    @Test("each trunk out: the next by priority answers; every trunk is asked once")
    func passes() async throws {
        let (result, asked) = try await drill("0201234567", answers: ["main": 200, "backup": 200, "last": 200])
        #expect(result.passed && result.steps.map(\.trunkOut) == ["main", "backup", "last"])
        #expect(result.steps.map(\.through) == ["backup", "main", "main"])
        #expect(asked.sorted() == ["backup", "main"], "last is never needed: \(asked)")
    }

    @Test("a backup that does not answer fails the step where it is needed, and a 503 is no answer")
    func fails() async throws {
        let (result, _) = try await drill("0201234567", answers: ["main": 200, "backup": 503])
        #expect(!result.passed)
        #expect(result.steps[0].through == nil && result.steps[0].detail.contains("backup answered 503") && result.steps[0].detail.contains("last did not answer"))
        #expect(result.steps[1].passed && result.steps[2].passed)
    }

    @Test("a route with one trunk has nothing to fail over to; a number no route takes fails")
    func singleAndNone() async throws {
        let (single, _) = try await drill("00441632960000", answers: ["main": 200])
        #expect(!single.passed && single.steps[0].detail.contains("only trunk"))
        let config = try TollgateConfig(yaml: Self.yaml.replacingOccurrences(of: "  - { prefix: \"\", trunks: [last, backup, main] }\n", with: ""))
        let none = await FailoverDrill(config: config, testNumber: "0201234567").run(at: Date()) { _ in 200 }
        #expect(!none.passed && none.steps[0].detail.contains("no route"))
    }
}

/// A list several tasks append to.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ item: String) { lock.withLock { storage.append(item) } }
    var items: [String] { lock.withLock { storage } }
}
