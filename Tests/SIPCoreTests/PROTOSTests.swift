import Foundation
import Testing

@testable import SIPCore

/// The PROTOS c07-sip suite: 4527 INVITEs, each malformed in one field, and their CANCELs.
@Suite("PROTOS c07-sip robustness", .enabled(if: Corpora.available, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
struct PROTOSTests {
    /// `validate()` refuses at least this many of the 4526 malformed INVITEs; the number is the
    /// floor reached so far (see the README), kept here so that a change can only raise it.
    static let minimumCaught = 3_700

    @Test("every case parses or is refused without a crash; case 0000000 is accepted; most malformed cases are caught")
    func wholeSuite() throws {
        let directory = try Corpora.protosDirectory.get()
        var caught = 0
        var missed: [Int] = []
        var total = 0
        for number in 0..<4527 {
            let name = String(format: "%07d", number)
            for kind in ["invite", "teardown"] {
                let url = directory.appendingPathComponent("\(name).\(kind).sip")
                guard let data = try? Data(contentsOf: url) else { continue }
                let bytes = Array(data)
                var refused = false
                if let message = try? SIPMessage(parsing: bytes) {
                    refused = (try? message.validate()) == nil
                    // Whatever was accepted must survive a round trip.
                    if !refused {
                        #expect((try? SIPMessage(parsing: message.serialized())) == message, "\(name).\(kind)")
                    }
                } else {
                    refused = true
                }
                guard kind == "invite" else { continue }
                total += 1
                if number == 0 {
                    #expect(!refused, "the valid case 0000000 must be accepted")
                } else if refused {
                    caught += 1
                } else {
                    missed.append(number)
                }
            }
        }
        #expect(total == 4527)
        #expect(caught >= Self.minimumCaught, "validate() caught \(caught) of \(total - 1)")
        if ProcessInfo.processInfo.environment["PROTOS_MISSED"] != nil { try? missed.map(String.init).joined(separator: "\n").write(toFile: "/tmp/protos-missed.txt", atomically: true, encoding: .utf8) }
        print("PROTOS c07-sip: validate() refuses \(caught) of \(total - 1) malformed INVITEs; accepted: \(PROTOSTests.summarise(missed))")
    }

    /// Groups missed case numbers by the field PROTOS attacks, from the GROUPS manifest.
    static func summarise(_ missed: [Int]) -> String {
        guard let text = try? String(contentsOf: Corpora.root.appendingPathComponent("protos-c07-sip.GROUPS.tsv"), encoding: .utf8) else {
            return "\(missed.count) cases"
        }
        var groups: [(name: String, range: ClosedRange<Int>)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: "\t")
            guard columns.count >= 4, let first = Int(columns[1]), let last = Int(columns[3]) else { continue }
            groups.append((String(columns[0]), first...last))
        }
        var counts: [String: Int] = [:]
        for number in missed {
            let group = groups.first { $0.range.contains(number) }?.name ?? "?"
            counts[group, default: 0] += 1
        }
        return counts.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
