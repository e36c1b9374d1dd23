import Testing

@testable import SIPCore

private let options = Array("""
    OPTIONS sip:bob@biloxi.com SIP/2.0\r
    Via: SIP/2.0/TCP pc33.atlanta.com;branch=z9hG4bK776asdhds\r
    Max-Forwards: 70\r
    To: <sip:bob@biloxi.com>\r
    From: <sip:alice@atlanta.com>;tag=1928301774\r
    Call-ID: a84b4c76e66710\r
    CSeq: 63104 OPTIONS\r
    Content-Length: 0\r
    \r

    """.utf8)

private func message(body: [UInt8], lengthHeader: String = "Content-Length") -> [UInt8] {
    Array("""
        MESSAGE sip:bob@biloxi.com SIP/2.0\r
        Via: SIP/2.0/TCP pc33.atlanta.com;branch=z9hG4bK1\r
        Call-ID: m1\r
        CSeq: 1 MESSAGE\r
        Content-Type: application/octet-stream\r
        \(lengthHeader): \(body.count)\r
        \r

        """.utf8) + body
}

/// Every frame the framer yields for `bytes` fed in `chunkSize` pieces, draining after each piece.
private func frames(_ bytes: [UInt8], chunkSize: Int, maximumMessageSize: Int = 65_536) throws -> [SIPStreamFramer.Frame] {
    var framer = SIPStreamFramer(maximumMessageSize: maximumMessageSize)
    var out: [SIPStreamFramer.Frame] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunkSize, bytes.count)
        framer.append(bytes[offset..<end])
        offset = end
        while let frame = try framer.next() { out.append(frame) }
    }
    #expect(framer.bufferedByteCount == 0)
    return out
}

@Suite("Stream framing")
struct SIPStreamFramerTests {
    @Test("two pipelined messages in one chunk come out one after the other")
    func pipelined() throws {
        let second = message(body: Array("hello".utf8))
        var framer = SIPStreamFramer()
        framer.append(options + second)
        #expect(try framer.next() == .message(options))
        #expect(try framer.next() == .message(second))
        #expect(try framer.next() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test("a stream cut into pieces of any size yields the same messages", arguments: [1, 2, 3, 7, 16, 64, 1000])
    func splitAcrossAppends(chunkSize: Int) throws {
        let body: [UInt8] = Array("a\r\n\r\nb".utf8) + [0, 0, 0x0D, 0x0A, 0x0D, 0x0A, 0]
        let stream = options + message(body: body) + options
        let result = try frames(stream, chunkSize: chunkSize)
        #expect(result == [.message(options), .message(message(body: body)), .message(options)])
    }

    @Test("keep-alives between messages survive any split that keeps each keep-alive whole", arguments: [4, 5, 9, 1000])
    func keepAlivesAcrossAppends(chunkSize: Int) throws {
        // Sizes chosen so no chunk boundary falls inside the ping (a CRLF | CRLF split is two pongs:
        // the framer cannot tell a split ping from two pongs).
        let ping: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        let pong: [UInt8] = [0x0D, 0x0A]
        let stream = ping + options + ping + pong + options
        var framer = SIPStreamFramer()
        var result: [SIPStreamFramer.Frame] = []
        framer.append(stream.prefix(4))
        while let frame = try framer.next() { result.append(frame) }
        var offset = 4
        while offset < stream.count {
            let end = min(offset + chunkSize, stream.count)
            framer.append(stream[offset..<end])
            offset = end
            while let frame = try framer.next() { result.append(frame) }
        }
        #expect(result.first == .keepAlivePing)
        #expect(result.filter { if case .message = $0 { true } else { false } } == [.message(options), .message(options)])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test("a message fed byte by byte comes out once, identical, and only at its last byte")
    func byteByByte() throws {
        let whole = message(body: Array("body".utf8))
        var framer = SIPStreamFramer()
        for (index, byte) in whole.enumerated() {
            framer.append([byte])
            let frame = try framer.next()
            if index < whole.count - 1 {
                #expect(frame == nil, "frame after byte \(index)")
            } else {
                #expect(frame == .message(whole))
            }
        }
        #expect(try framer.next() == nil)
    }

    @Test("the body is exactly Content-Length bytes, even when it holds CRLFCRLF and NUL bytes")
    func bodyByContentLength() throws {
        let body: [UInt8] = [0x00] + Array("\r\n\r\nINVITE sip:x SIP/2.0\r\n\r\n".utf8) + [0x00, 0xFF, 0x0A]
        let first = message(body: body)
        var framer = SIPStreamFramer()
        framer.append(first + options)
        guard case .message(let bytes) = try framer.next() else {
            Issue.record("no message")
            return
        }
        #expect(bytes == first)
        let parsed = try SIPMessage(parsing: bytes)
        #expect(parsed.body == body)
        #expect(try framer.next() == .message(options))
    }

    @Test("the framer waits for the whole body")
    func waitsForBody() throws {
        let whole = message(body: Array("0123456789".utf8))
        var framer = SIPStreamFramer()
        framer.append(whole.dropLast(3))
        #expect(try framer.next() == nil)
        #expect(try framer.next() == nil)
        framer.append(whole.suffix(3))
        #expect(try framer.next() == .message(whole))
    }

    @Test("without Content-Length the body is empty and what follows is the next message")
    func missingContentLength() throws {
        let head = Array("OPTIONS sip:bob@biloxi.com SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n".utf8)
        var framer = SIPStreamFramer()
        framer.append(head + options)
        #expect(try framer.next() == .message(head))
        #expect(try framer.next() == .message(options))
    }

    @Test("Content-Length is found by any spelling: compact 'l', any case, space before ':'", arguments: [
        "l", "L", "content-length", "CONTENT-LENGTH", "Content-Length ",
    ])
    func contentLengthSpellings(name: String) throws {
        let whole = message(body: Array("xyz".utf8), lengthHeader: name)
        var framer = SIPStreamFramer()
        framer.append(whole + options)
        #expect(try framer.next() == .message(whole))
        #expect(try framer.next() == .message(options))
    }

    @Test("bare LF line endings frame too")
    func bareLineFeeds() throws {
        let lf = Array("MESSAGE sip:a@b SIP/2.0\nl: 2\n\nhi".utf8)
        var framer = SIPStreamFramer()
        framer.append(lf + options)
        #expect(try framer.next() == .message(lf))
        #expect(try framer.next() == .message(options))
    }

    @Test("a folded header does not confuse the Content-Length search")
    func foldedHeaders() throws {
        let folded = Array("MESSAGE sip:a@b SIP/2.0\r\nSubject: a\r\n l: 99\r\nContent-Length: 2\r\n\r\nhi".utf8)
        var framer = SIPStreamFramer()
        framer.append(folded)
        #expect(try framer.next() == .message(folded))
    }

    @Test("CRLFCRLF between messages is a ping and a lone CRLF a pong (RFC 5626 §4.4.1)")
    func keepAlives() throws {
        var framer = SIPStreamFramer()
        framer.append(Array("\r\n\r\n".utf8))
        #expect(try framer.next() == .keepAlivePing)
        #expect(try framer.next() == nil)
        framer.append(Array("\r\n".utf8))
        #expect(try framer.next() == .keepAlivePong)
        framer.append(Array("\r\n".utf8) + options)
        #expect(try framer.next() == .keepAlivePong)
        #expect(try framer.next() == .message(options))
        framer.append(Array("\r\n\r\n\r\n".utf8))
        #expect(try framer.next() == .keepAlivePing)
        #expect(try framer.next() == .keepAlivePong)
        #expect(try framer.next() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test("a ping split after its third byte waits instead of becoming a pong")
    func splitPing() throws {
        var framer = SIPStreamFramer()
        framer.append(Array("\r\n\r".utf8))
        #expect(try framer.next() == nil)
        framer.append([0x0A])
        #expect(try framer.next() == .keepAlivePing)
        framer.append([0x0D])
        #expect(try framer.next() == nil)
        framer.append([0x0A])
        #expect(try framer.next() == .keepAlivePong)
    }

    @Test("an over-size header section without its end throws messageTooLarge")
    func headerSectionTooLarge() throws {
        var framer = SIPStreamFramer(maximumMessageSize: 64)
        framer.append(Array("OPTIONS sip:bob@biloxi.com SIP/2.0\r\nSubject: ".utf8))
        #expect(try framer.next() == nil)
        framer.append([UInt8](repeating: UInt8(ascii: "a"), count: 40))
        #expect(throws: SIPStreamFramer.FramingError.messageTooLarge(limit: 64)) { try framer.next() }
    }

    @Test("a header section of exactly the limit is accepted, one byte more is not")
    func exactLimit() throws {
        let head = Array("OPTIONS sip:a@b SIP/2.0\r\n\r\n".utf8)
        var atLimit = SIPStreamFramer(maximumMessageSize: head.count)
        atLimit.append(head)
        #expect(try atLimit.next() == .message(head))
        var belowLimit = SIPStreamFramer(maximumMessageSize: head.count - 1)
        belowLimit.append(head)
        #expect(throws: SIPStreamFramer.FramingError.messageTooLarge(limit: head.count - 1)) { try belowLimit.next() }
    }

    @Test("a Content-Length that makes the message too large throws before the body arrives", arguments: [
        "300", "4294967295", "9999999999",
    ])
    func declaredBodyTooLarge(length: String) throws {
        var framer = SIPStreamFramer(maximumMessageSize: 256)
        framer.append(Array("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: \(length)\r\n\r\n".utf8))
        #expect(throws: SIPStreamFramer.FramingError.messageTooLarge(limit: 256)) { try framer.next() }
    }

    @Test("malformed Content-Length values throw", arguments: [
        "abc", "-1", "+5", "5 5", "0x10", "", "12345678901", "5;x",
    ])
    func malformedContentLength(value: String) throws {
        var framer = SIPStreamFramer()
        framer.append(Array("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: \(value)\r\n\r\n".utf8))
        #expect(throws: SIPStreamFramer.FramingError.malformedContentLength) { try framer.next() }
    }

    @Test("different Content-Length values throw; repeating the same value does not")
    func conflictingContentLength() throws {
        var conflicting = SIPStreamFramer()
        conflicting.append(Array("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\nl: 3\r\n\r\nabc".utf8))
        #expect(throws: SIPStreamFramer.FramingError.conflictingContentLength) { try conflicting.next() }

        let repeated = Array("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\nl: 2\r\n\r\nab".utf8)
        var same = SIPStreamFramer()
        same.append(repeated)
        #expect(try same.next() == .message(repeated))
    }

    @Test("bytes that are neither a keep-alive nor a message end are bounded by the size limit", arguments: [
        ("CR", "\r"), ("CR X", "\rX"), ("CR LF CR X", "\r\n\rX"), ("CR CR CR CR", "\r\r\r\r"),
    ])
    func strayCarriageReturn(name: String, prefix: String) throws {
        var framer = SIPStreamFramer(maximumMessageSize: 64)
        framer.append(Array(prefix.utf8))
        for _ in 0..<4 {
            framer.append([UInt8](repeating: UInt8(ascii: "a"), count: 32))
            _ = try? framer.next()
        }
        // 128 bytes without a header end: the framer must give up rather than buffer forever.
        #expect(throws: SIPStreamFramer.FramingError.messageTooLarge(limit: 64)) {
            while try framer.next() != nil {}
        }
    }

    @Test("a message after a stray CR is still framed and parses (leading line breaks are skipped)")
    func strayCarriageReturnBeforeMessage() throws {
        var framer = SIPStreamFramer()
        framer.append([0x0D] + options + options)
        guard case .message(let bytes) = try framer.next() else {
            Issue.record("no message")
            return
        }
        #expect(bytes == [0x0D] + options)
        #expect(try SIPMessage(parsing: bytes).method == .options)
        #expect(try framer.next() == .message(options))
    }

    @Test("each framed message parses, and its bytes do not leak into the next")
    func framedMessagesParse() throws {
        let stream = options + message(body: Array("one".utf8)) + [0x0D, 0x0A, 0x0D, 0x0A] + message(body: Array("two\r\n\r\n".utf8))
        let result = try frames(stream, chunkSize: 5)
        var parsed: [SIPMessage] = []
        for frame in result {
            if case .message(let bytes) = frame { parsed.append(try SIPMessage(parsing: bytes)) }
        }
        #expect(parsed.count == 3)
        #expect(parsed.map(\.method) == [.options, .message, .message])
        #expect(parsed.map(\.bodyText) == ["", "one", "two\r\n\r\n"])
        #expect(try parsed[0].cseq().sequence == 63104)
        #expect(try parsed[1].contentLength() == 3)
    }

    @Test("the buffer is compacted as frames are taken, so a long stream does not grow it")
    func longStream() throws {
        var framer = SIPStreamFramer()
        for _ in 0..<2_000 {
            framer.append(options)
            #expect(try framer.next() == .message(options))
        }
        #expect(framer.bufferedByteCount == 0)
        // Partial leftovers survive compaction intact.
        for _ in 0..<100 {
            framer.append(options + options.prefix(10))
            #expect(try framer.next() == .message(options))
            framer.append(options.dropFirst(10))
            #expect(try framer.next() == .message(options))
        }
        #expect(framer.bufferedByteCount == 0)
    }
}
