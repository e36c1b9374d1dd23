import Foundation
import Testing

@Suite("tollgate sip lint")
struct SIPLintCommandTests {
    func corpus(_ path: String) -> String { TollgateBinary.corpora.appendingPathComponent(path).path }

    @Test("valid messages print ok and exit 0", .enabled(if: TollgateBinary.corporaAvailable, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
    func validFiles() throws {
        let output = try TollgateBinary.run(["sip", "lint", corpus("rfc4475/valid/wsinv.sip"), corpus("rfc5118/valid/ipv6-good.sip")])
        #expect(output.status == 0)
        #expect(output.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(": ok") })
    }

    @Test("an invalid message prints the rule and byte offset and exits 1", .enabled(if: TollgateBinary.corporaAvailable, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
    func invalidFile() throws {
        let output = try TollgateBinary.run(["sip", "lint", corpus("rfc4475/valid/wsinv.sip"), corpus("rfc4475/invalid/ncl.sip")])
        #expect(output.status == 1)
        #expect(output.stdout.contains("wsinv.sip: ok"))
        #expect(output.stdout.contains("ncl.sip: malformed-content-length at byte 326"))
    }

    @Test("--json reports each file with stage, rule, offset and status", .enabled(if: TollgateBinary.corporaAvailable, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
    func json() throws {
        let output = try TollgateBinary.run(["sip", "lint", "--json", corpus("rfc4475/valid/unkscm.sip"), corpus("rfc4475/invalid/badvers.sip")])
        #expect(output.status == 1)
        let results = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
        #expect(results?.count == 2)
        #expect(results?[0]["rule"] as? String == "unsupported-uri-scheme")
        #expect(results?[0]["status"] as? Int == 416)
        #expect(results?[0]["stage"] as? String == "validate")
        #expect(results?[1]["status"] as? Int == 505)
        #expect(results?.allSatisfy { $0["ok"] as? Bool == false } == true)
    }

    @Test("'-' reads the message from standard input")
    func standardInput() throws {
        let message = "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        let output = try TollgateBinary.run(["sip", "lint", "-"], stdin: Array(message.utf8))
        #expect(output.status == 0)
        #expect(output.stdout == "-: ok\n")
    }

    @Test("an unreadable file exits 2 and says so; no file is a usage error")
    func errors() throws {
        let missing = try TollgateBinary.run(["sip", "lint", "/nonexistent/message.sip"])
        #expect(missing.status == 2)
        #expect(missing.stdout.contains("unreadable"))
        let none = try TollgateBinary.run(["sip", "lint"])
        #expect(none.status != 0)
        #expect(!none.stderr.isEmpty)
    }

    @Test("the whole RFC 4475 corpus lints with one verdict per file", .enabled(if: TollgateBinary.corporaAvailable, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
    func wholeCorpus() throws {
        let directory = TollgateBinary.corpora.appendingPathComponent("rfc4475/invalid")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { directory.appendingPathComponent($0).path }
        let output = try TollgateBinary.run(["sip", "lint"] + files)
        #expect(output.status == 1)
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == files.count)
        #expect(!lines.contains { $0.hasSuffix(": ok") })
    }
}
