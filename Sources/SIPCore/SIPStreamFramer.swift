/// Cuts a TCP or TLS byte stream into SIP messages (RFC 3261 §18.3) and keep-alives (RFC 5626 §4.4.1).
///
/// Feed bytes as they arrive with ``append(_:)`` and take frames with ``next()`` until it returns
/// `nil`. A message ends where its Content-Length says (0 when absent); a CRLF CRLF between messages
/// is a keep-alive ping, a lone CRLF a pong. Framing errors cannot be recovered on a stream: the
/// caller closes the connection.
public struct SIPStreamFramer: Sendable {
    /// What the stream yielded.
    public enum Frame: Sendable, Hashable {
        /// One message's bytes, ready for ``SIPMessage/init(parsing:limits:)``.
        case message([UInt8])
        /// A double CRLF: the peer asks for a pong.
        case keepAlivePing
        /// A single CRLF: the answer to our ping.
        case keepAlivePong
    }

    /// Why the stream cannot be framed.
    public enum FramingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A message (or an unterminated header section) exceeds the size limit.
        case messageTooLarge(limit: Int)
        /// Content-Length is not a decimal number.
        case malformedContentLength
        /// Several different Content-Length values.
        case conflictingContentLength

        public var description: String {
            switch self {
            case .messageTooLarge(let limit): "message exceeds the limit of \(limit) bytes"
            case .malformedContentLength: "Content-Length is not a non-negative decimal number"
            case .conflictingContentLength: "several different Content-Length values"
            }
        }
    }

    /// Largest message accepted; defaults to 64 KiB.
    public let maximumMessageSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Where the search for the end of the header section resumes.
    private var scanIndex = 0

    public init(maximumMessageSize: Int = SIPParserLimits.default.maximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or `nil` if more bytes are needed.
    public mutating func next() throws(FramingError) -> Frame? {
        let available = buffer.count - readIndex
        guard available > 0 else { return nil }
        if buffer[readIndex] == 0x0D || buffer[readIndex] == 0x0A {
            if available >= 4, buffer[readIndex..<readIndex + 4].elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) {
                consume(4)
                return .keepAlivePing
            }
            if available >= 2, buffer[readIndex] == 0x0D, buffer[readIndex + 1] == 0x0A {
                // CRLF CR may be the first three bytes of a ping: wait for the fourth.
                if available == 3, buffer[readIndex + 2] == 0x0D { return nil }
                consume(2)
                return .keepAlivePong
            }
            if buffer[readIndex] == 0x0A {
                consume(1)
                return .keepAlivePong
            }
            // A lone CR: wait for the byte after it.
            if available == 1 { return nil }
            // A CR not followed by LF is no keep-alive. Frame it with the bytes after it, so that the
            // size limit applies instead of buffering forever (the parser skips leading line breaks).
        }

        let result: Result<(headerEnd: Int, contentLength: Int)?, FramingError> = buffer.withUnsafeBufferPointer { p in
            // Find the empty line that ends the header section.
            var index = max(scanIndex, readIndex)
            var headerEnd: Int?
            while let lineFeed = p.firstIndex(of: 0x0A, from: index, to: p.count) {
                if lineFeed + 1 < p.count, p[lineFeed + 1] == 0x0A {
                    headerEnd = lineFeed + 2
                    break
                }
                if lineFeed + 2 < p.count, p[lineFeed + 1] == 0x0D, p[lineFeed + 2] == 0x0A {
                    headerEnd = lineFeed + 3
                    break
                }
                if lineFeed + 2 >= p.count {
                    index = lineFeed
                    break
                }
                index = lineFeed + 1
            }
            guard let headerEnd else {
                scanIndex = max(readIndex, min(index, p.count))
                return p.count - readIndex > maximumMessageSize ? .failure(.messageTooLarge(limit: maximumMessageSize)) : .success(nil)
            }
            switch SIPStreamFramer.contentLength(p, readIndex..<headerEnd) {
            case .success(let length):
                return .success((headerEnd, length))
            case .failure(let error):
                return .failure(error)
            }
        }
        guard let frame = try result.get() else { return nil }
        let total = frame.headerEnd - readIndex + frame.contentLength
        guard total <= maximumMessageSize else { throw .messageTooLarge(limit: maximumMessageSize) }
        guard available >= total else { return nil }
        let message = Array(buffer[readIndex..<readIndex + total])
        consume(total)
        return .message(message)
    }

    private mutating func consume(_ count: Int) {
        readIndex += count
        scanIndex = readIndex
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
            scanIndex = 0
        }
    }

    /// The Content-Length declared in a header section (0 when absent); folded lines are skipped.
    static func contentLength(_ p: UnsafeBufferPointer<UInt8>, _ section: Range<Int>) -> Result<Int, FramingError> {
        var length: Int?
        var lineStart = section.lowerBound
        while lineStart < section.upperBound {
            let lineEnd = p.firstIndex(of: 0x0A, from: lineStart, to: section.upperBound) ?? section.upperBound
            var nameEnd = lineStart
            while nameEnd < lineEnd, SIPCharacterClass.isToken(p[nameEnd]) { nameEnd += 1 }
            var colon = nameEnd
            while colon < lineEnd, SIPCharacterClass.isWhitespace(p[colon]) { colon += 1 }
            if nameEnd > lineStart, colon < lineEnd, p[colon] == UInt8(ascii: ":"),
                SIPHeaderName.Known.lookup(UnsafeBufferPointer(rebasing: p[lineStart..<nameEnd])) == .contentLength
            {
                var valueStart = colon + 1
                var valueEnd = lineEnd
                while valueStart < valueEnd, SIPCharacterClass.isLWS(p[valueStart]) { valueStart += 1 }
                while valueEnd > valueStart, SIPCharacterClass.isLWS(p[valueEnd - 1]) { valueEnd -= 1 }
                guard let value = try? SIPMessageParser.parseContentLength(p, valueStart..<valueEnd) else {
                    return .failure(.malformedContentLength)
                }
                if let length, length != value { return .failure(.conflictingContentLength) }
                length = value
            }
            lineStart = lineEnd + 1
        }
        return .success(length ?? 0)
    }
}
