import Foundation
import Testing

@testable import SIPCore
import TollgateTestSupport

/// Builds random but well-formed SIP messages.
struct MessageGenerator {
    var rng: SeededGenerator

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func token(_ length: ClosedRange<Int> = 1...12) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~")
        return String((0..<Int.random(in: length, using: &rng)).map { _ in pick(alphabet) })
    }

    mutating func alnum(_ length: ClosedRange<Int> = 1...10) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<Int.random(in: length, using: &rng)).map { _ in pick(alphabet) })
    }

    mutating func host() -> String {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "\(alnum()).example.com"
        case 1: return "192.0.2.\(Int.random(in: 1...254, using: &rng))"
        default: return "[2001:db8::\(Int.random(in: 1...0xffff, using: &rng))]"
        }
    }

    mutating func uri() -> String {
        var text = pick(["sip:", "sips:"])
        if chance(80) { text += alnum() + "@" }
        text += host()
        if chance(40) { text += ":\(Int.random(in: 1...65535, using: &rng))" }
        if chance(30) { text += ";transport=\(pick(["udp", "tcp", "tls"]))" }
        if chance(20) { text += ";lr" }
        return text
    }

    mutating func displayName() -> String {
        if chance(50) { return alnum() + " " }
        let characters = Array("abc XYZ,;:<>@\\\"é")
        var name = ""
        for _ in 0..<Int.random(in: 0...10, using: &rng) {
            let character = pick(characters)
            if character == "\"" || character == "\\" { name.append("\\") }
            name.append(character)
        }
        return "\"\(name)\" "
    }

    mutating func fold(_ value: String) -> String {
        guard chance(15), let space = value.firstIndex(of: " ") else { return value }
        var folded = value
        folded.replaceSubrange(space...space, with: "\r\n\(pick([" ", "\t", "   "]))")
        return folded
    }

    mutating func message() -> (text: [UInt8], method: SIPMethod?, branch: String, callID: String, cseq: UInt32) {
        let methods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .register, .options, .info, .message, .other(token())]
        let isRequest = chance(70)
        let method = pick(methods)
        let branch = SIPVia.magicCookie + token()
        let callID = alnum(4...20) + (chance(50) ? "@" + host() : "")
        let cseq = UInt32.random(in: 0...UInt32.max, using: &rng)
        var lines: [String] = []
        lines.append(isRequest ? "\(method) \(uri()) SIP/2.0" : "SIP/2.0 \(Int.random(in: 100...699, using: &rng)) \(pick(["OK", "Ringing", "", "Busy Here", "Très bien"]))")
        var headers: [String] = [
            "\(pick(["Via", "v", "VIA"])): \(fold("SIP/2.0/\(pick(["UDP", "TCP", "TLS"])) \(host());branch=\(branch)\(chance(50) ? ";rport" : "")"))",
            "\(pick(["From", "f"])): \(fold("\(displayName())<\(uri())>;tag=\(alnum())"))",
            "\(pick(["To", "t"])): \(fold("\(displayName())<\(uri())>"))",
            "\(pick(["Call-ID", "i", "call-id"])): \(callID)",
            "CSeq: \(cseq) \(method)",
            "Max-Forwards: \(Int.random(in: 1...255, using: &rng))",
        ]
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            headers.append("X-\(token()): \(fold("\(token()) \(token()), \"\(alnum())\" ;p=\(alnum())"))")
        }
        if chance(50) { headers.append("Contact: \(displayName())<\(uri())>;expires=\(Int.random(in: 0...3600, using: &rng))") }
        headers.shuffle(using: &rng)
        lines += headers
        var body: [UInt8] = []
        if chance(50) {
            body = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            lines.append("Content-Type: application/octet-stream")
            lines.append("\(pick(["Content-Length", "l"])): \(body.count)")
        } else if chance(50) {
            lines.append("Content-Length: 0")
        }
        let text = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
        return (text, isRequest ? method : nil, branch, callID, cseq)
    }
}

/// Byte-level mutations of valid messages, the kind fuzzers and attack tools produce.
struct Mutator {
    var rng: SeededGenerator
    static let interesting: [[UInt8]] = ["\r\n", "\r\n ", "\0", ":", ";", ",", "\"", "<", ">", "%", "%s%s%n", "\\", "=", "@", "[", "]", " ", "\t", "SIP/2.0",
                                          "Content-Length: 999999", "l: -1", "\r\n\r\n", "\u{FF}\u{FE}"].map { Array($0.utf8) }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[position] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(contentsOf: Self.interesting[Int.random(in: 0..<Self.interesting.count, using: &rng)], at: position)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &rng)))
            case 3:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &rng))
                bytes.insert(contentsOf: Array(bytes[position..<end]), at: position)
            case 4: bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            default: bytes.insert(contentsOf: [UInt8](repeating: bytes[position], count: Int.random(in: 1...200, using: &rng)), at: position)
            }
        }
        return bytes
    }
}

@Suite("Properties: round trip and robustness")
struct SIPPropertyTests {
    @Test("generated messages parse, read back their fields, and round-trip exactly")
    func generatedRoundTrip() throws {
        var generator = MessageGenerator(rng: SeededGenerator(seed: 0x5EED_0001))
        for iteration in 0..<2_000 {
            let (text, method, branch, callID, cseq) = generator.message()
            let message: SIPMessage
            do {
                message = try SIPMessage(parsing: text)
            } catch {
                Issue.record("iteration \(iteration): \(error)\n\(String(decoding: text, as: UTF8.self))")
                continue
            }
            #expect(message.method == method)
            #expect(try message.topVia()?.branch == branch)
            #expect(try message.callID() == callID)
            #expect(try message.cseq().sequence == cseq)
            _ = try message.from()
            _ = try message.to()
            let bytes = message.serialized()
            let again = try SIPMessage(parsing: bytes)
            #expect(again == message, "iteration \(iteration)")
            #expect(again.serialized() == bytes, "iteration \(iteration)")
        }
    }

    @Test("10,000 mutations of corpus messages never crash, and whatever parses round-trips", .enabled(if: Corpora.available, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
    func mutatedCorpus() throws {
        var seeds: [[UInt8]] = []
        for corpus in ["rfc4475", "rfc5118"] {
            for entry in try Corpora.manifest(corpus) { seeds.append(try Corpora.bytes(corpus, entry.file)) }
        }
        var generator = MessageGenerator(rng: SeededGenerator(seed: 7))
        for _ in 0..<20 { seeds.append(generator.message().text) }
        var mutator = Mutator(rng: SeededGenerator(seed: 0xF022))
        var accepted = 0
        var valid = 0
        for iteration in 0..<10_000 {
            let input = mutator.mutate(seeds[iteration % seeds.count])
            guard let message = try? SIPMessage(parsing: input) else { continue }
            accepted += 1
            if (try? message.validate()) != nil { valid += 1 }
            // Every typed view either answers or throws; none may trap.
            _ = try? message.vias()
            _ = try? message.contacts()
            _ = try? message.authorizations()
            _ = message.headerFields
            let again = try? SIPMessage(parsing: message.serialized())
            if again != message {
                let detail = again.map { again in
                    zip(again.headerFields, message.headerFields).filter { $0.0 != $0.1 }.prefix(2).map { "\($0.0) | \($0.1)" }.joined(separator: "\n")
                        + "\nstart: \(again.startLine == message.startLine) body: \(again.bodyBytes.elementsEqual(message.bodyBytes)) counts: \(again.headerCount) \(message.headerCount)"
                } ?? "reparse failed"
                Issue.record("mutation \(iteration) does not round-trip: \(detail)")
            }
        }
        #expect(accepted > 0)
        #expect(valid < accepted)
    }

    @Test("random bytes are refused quickly and never accepted as a valid message")
    func randomBytes() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if let message = try? SIPMessage(parsing: bytes) {
                #expect((try? message.validate()) == nil)
            }
        }
    }

    @Test("the stream framer cuts the same messages however the stream is chunked")
    func framerChunking() throws {
        var generator = MessageGenerator(rng: SeededGenerator(seed: 99))
        var rng = SeededGenerator(seed: 100)
        var stream: [UInt8] = []
        var expected: [[UInt8]] = []
        for _ in 0..<200 {
            var message = generator.message().text
            // Streams need Content-Length; give every message one.
            if let parsed = try? SIPMessage(parsing: message), !parsed.contains(.contentLength) {
                var copy = parsed
                copy.appendHeader(.contentLength, String(parsed.bodyBytes.count))
                message = copy.serialized()
            }
            expected.append(message)
            stream += message
        }
        var framer = SIPStreamFramer()
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < stream.count {
            let size = Int.random(in: 1...700, using: &rng)
            framer.append(stream[offset..<min(stream.count, offset + size)])
            offset += size
            while let frame = try framer.next() {
                if case .message(let bytes) = frame { frames.append(bytes) }
            }
        }
        #expect(frames == expected)
        #expect(framer.bufferedByteCount == 0)
    }
}
