import Foundation
import Testing
@testable import TollgateFraud

@Suite("CSV record reader")
struct CSVRecordReaderTests {
    /// Every record of `text` as its fields, with the line it starts on.
    static func records(_ text: String, chunkSize: Int = 1 << 20, maxRecordBytes: Int = 64 * 1024) throws -> [(Int, [String])] {
        let path = try CDRTestSupport.temporaryFile(text)
        var reader = try CSVRecordReader(path: path, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
        var out: [(Int, [String])] = []
        while true {
            switch try reader.next() {
            case .end: return out
            case .overflow: out.append((reader.line, ["<overflow>"]))
            case .unclosedQuote: out.append((reader.line, ["<unclosed>"]))
            case .record: out.append((reader.line, (0..<reader.fieldCount).map { reader.string($0) }))
            }
        }
    }

    @Test("Quoted fields keep commas, doubled quotes and line breaks; unquoted fields are taken as they are", arguments: [
        ("a,b,c\n", [["a", "b", "c"]]),
        ("\"a,1\",\"b\"\"q\"\"\",c\n", [["a,1", "b\"q\"", "c"]]),
        ("\"\",,\"x\"\n", [["", "", "x"]]),
        ("\"two\nlines\",z\n", [["two\nlines", "z"]]),
        ("a,b\r\nc,d\r\n", [["a", "b"], ["c", "d"]]),
        ("a,b\nc,d", [["a", "b"], ["c", "d"]]),
        ("a,\"b\"\r\n\r\n\nc\n", [["a", "b"], ["c"]]),
        ("\"<script>\",\"&amp;\"\n", [["<script>", "&amp;"]]),
        ("\"caf\u{E9}\",\"\u{1F4DE}\"\n", [["caf\u{E9}", "\u{1F4DE}"]]),
    ])
    func fields(text: String, expected: [[String]]) throws {
        #expect(try Self.records(text).map(\.1) == expected)
    }

    @Test("A record's line is the line it starts on, counting line breaks inside quotes")
    func lineNumbers() throws {
        let records = try Self.records("a\n\"b\nb\nb\"\n\nc\r\nd")
        #expect(records.map(\.0) == [1, 2, 6, 7])
    }

    @Test("Records across chunk boundaries read the same as from one chunk")
    func chunkBoundaries() throws {
        var text = ""
        for index in 0..<2000 {
            text += "\"\(index)\",\"quoted, \"\"with\"\" comma\",\"multi\nline \(index)\",plain\(index)\r\n"
        }
        let small = try Self.records(text, chunkSize: 4096)
        let large = try Self.records(text)
        #expect(small.count == 2000)
        #expect(small.map(\.1) == large.map(\.1))
        #expect(small.map(\.0) == large.map(\.0))
        #expect(small[1999].0 == 3999)
        #expect(small[1999].1 == ["1999", "quoted, \"with\" comma", "multi\nline 1999", "plain1999"])
    }

    @Test("An unbalanced quote is reported once as an overflow and reading resumes at the next line")
    func unbalancedQuote() throws {
        let long = String(repeating: "x", count: 300)
        let text = "a,b\n\"open," + (0..<20).map { _ in long }.joined(separator: "\n") + "\nc,d\n"
        let records = try Self.records(text, chunkSize: 4096, maxRecordBytes: 1024)
        #expect(records.first?.1 == ["a", "b"])
        #expect(records.contains { $0.0 == 2 && $0.1 == ["<overflow>"] })
        #expect(records.last?.1 == ["c", "d"])
    }

    @Test("A missing file and a folder are clear errors")
    func openErrors() throws {
        #expect(throws: CDRFileError.self) { _ = try CSVRecordReader(path: "/nonexistent/cdr.csv") }
        do {
            _ = try CSVRecordReader(path: FileManager.default.temporaryDirectory.path)
            Issue.record("a folder was opened")
        } catch {
            #expect(error.description.contains("directory"))
        }
    }
}
