import Testing
@testable import TollgateFraud

@Suite("high-risk prefix file")
struct HighRiskPrefixesTests {
    @Test("The shipped file loads with the carriers' block list, look-alikes, satellite and premium ranges, each with a source")
    func shippedFileLoads() throws {
        let prefixes = try HighRiskPrefixes.shipped()
        #expect(prefixes.entries.count == 51)
        #expect(prefixes.entries.allSatisfy { $0.source != nil })
        func category(_ digits: String) -> HighRiskPrefixes.Category? { prefixes.longestMatch(digits)?.category }
        #expect(category("252612345678") == .highRisk)
        #expect(category("18765550100") == .highRisk)
        #expect(category("881612345678") == .satellite)
        #expect(category("979123456789") == .satellite)
        #expect(category("449098790123") == .premium)
        #expect(category("4990012345678") == .premium)
        #expect(category("33891234567") == .premium)
        #expect(category("441632960123") == nil)
        #expect(category("12125550100") == nil)
    }

    @Test("Comments and blank lines are skipped and the longest prefix wins")
    func longestPrefixWins() throws {
        let prefixes = try HighRiskPrefixes(parsing: """
            # header

            +44      high-risk   # broad
            +449     premium     # narrow
            """, source: "test.txt")
        #expect(prefixes.entries.count == 2)
        #expect(prefixes.longestMatch("449098790123")?.category == .premium)
        #expect(prefixes.longestMatch("449098790123")?.origin == "test.txt:4")
        #expect(prefixes.longestMatch("441632960123")?.category == .highRisk)
        #expect(prefixes.longestMatch("441632960123")?.source == "broad")
    }

    @Test("A malformed line is reported with its file and line number", arguments: [
        ("+252 high-risk\n+44 9 premium\n", "f.txt:2", "expected PREFIX CLASS"),
        ("\n\n+449 gold # x\n", "f.txt:3", "the class must be one of"),
        ("449 premium\n", "f.txt:1", "the prefix must be"),
        ("# ok\n+0449 premium\n", "f.txt:2", "the prefix must be"),
        ("+44a premium\n", "f.txt:1", "the prefix must be"),
        ("+252\n", "f.txt:1", "expected PREFIX CLASS"),
    ])
    func malformedLine(text: String, origin: String, message: String) {
        do {
            _ = try HighRiskPrefixes(parsing: text, source: "f.txt")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.origin == origin)
            #expect(error.message.hasPrefix(message), "\(error)")
        }
    }

    @Test("A missing file is reported by its path")
    func missingFile() {
        do {
            _ = try HighRiskPrefixes.load(path: "/nonexistent/high-risk-prefixes.txt")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.origin == "/nonexistent/high-risk-prefixes.txt")
            #expect(error.message.contains("cannot read the prefix file"))
        }
    }
}
