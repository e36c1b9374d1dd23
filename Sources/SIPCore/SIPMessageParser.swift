/// The one-pass message indexer.
///
/// It walks the bytes once: the start line is checked in full (it decides where a message goes),
/// each header line is split into name and value ranges (folds and LWS handled, names looked up
/// case-insensitively with compact forms), and Content-Length is read because framing depends on
/// it. Everything else waits for a typed view or ``SIPMessage/validate(_:)``.
extension SIPMessage {
    /// Parses one message from `bytes`, which the message keeps (no copy is made).
    ///
    /// `bytes` is a datagram or one frame cut by ``SIPStreamFramer``: octets after the body that
    /// Content-Length declares are ignored (RFC 3261 §18.3); without Content-Length the body is
    /// the rest of the bytes.
    public init(parsing bytes: [UInt8], limits: SIPParserLimits = .default) throws(SIPParseError) {
        let result = bytes.withUnsafeBufferPointer { buffer in
            SIPMessageParser.parse(buffer, limits: limits)
        }
        switch result {
        case .success(let parsed):
            self.init(storage: bytes, head: parsed.head, fields: parsed.fields, bodyRange: parsed.body)
        case .failure(let error):
            throw error
        }
    }

    /// Parses one message from any byte sequence (copied once into the message's buffer).
    public init(parsing bytes: some Sequence<UInt8>, limits: SIPParserLimits = .default) throws(SIPParseError) {
        try self.init(parsing: Array(bytes), limits: limits)
    }

    /// Parses one message from text.
    public init(parsing text: String, limits: SIPParserLimits = .default) throws(SIPParseError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

enum SIPMessageParser {
    struct Parsed {
        var head: SIPMessage.Head
        var fields: [SIPHeaderFieldIndex]
        var body: Range<Int>
    }

    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09

    static func parse(_ p: UnsafeBufferPointer<UInt8>, limits: SIPParserLimits) -> Result<Parsed, SIPParseError> {
        do throws(SIPParseError) {
            return .success(try parseThrowing(p, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    private static func parseThrowing(_ p: UnsafeBufferPointer<UInt8>, limits: SIPParserLimits) throws(SIPParseError) -> Parsed {
        let n = p.count
        var i = 0
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        while i < n, p[i] == cr || p[i] == lf { i += 1 }
        guard i < n else { throw SIPParseError(.empty, offset: 0) }
        guard n <= limits.maximumMessageSize else {
            throw SIPParseError(.messageTooLarge(limit: limits.maximumMessageSize), offset: limits.maximumMessageSize)
        }

        // Start line.
        guard let startLineFeed = p.firstIndex(of: lf, from: i, to: n) else {
            throw SIPParseError(.headerSectionNotTerminated, offset: n)
        }
        let startLineEnd = startLineFeed > i && p[startLineFeed - 1] == cr ? startLineFeed - 1 : startLineFeed
        let head = try parseStartLine(p, i..<startLineEnd)
        i = startLineFeed + 1

        // Header fields.
        var fields: [SIPHeaderFieldIndex] = []
        fields.reserveCapacity(20)
        var contentLength: Int?
        while true {
            guard i < n else { throw SIPParseError(.headerSectionNotTerminated, offset: n) }
            let first = p[i]
            if first == lf {
                i += 1
                break
            }
            if first == cr {
                guard i + 1 < n else { throw SIPParseError(.headerSectionNotTerminated, offset: n) }
                guard p[i + 1] == lf else { throw SIPParseError(.controlCharacter, offset: i) }
                i += 2
                break
            }
            if first == space || first == tab {
                throw SIPParseError(.unexpectedContinuationLine, offset: i)
            }
            let nameStart = i
            while i < n, SIPCharacterClass.isToken(p[i]) { i += 1 }
            let nameEnd = i
            guard nameEnd > nameStart else { throw SIPParseError(.malformedHeaderName, offset: i) }
            while i < n, p[i] == space || p[i] == tab { i += 1 }
            guard i < n, p[i] == UInt8(ascii: ":") else {
                throw SIPParseError(i < n && p[i] != cr && p[i] != lf ? .malformedHeaderName : .missingColon, offset: i)
            }
            i += 1

            // Leading LWS, which may include folds.
            while i < n {
                let byte = p[i]
                if byte == space || byte == tab {
                    i += 1
                } else if byte == cr, i + 2 < n, p[i + 1] == lf, p[i + 2] == space || p[i + 2] == tab {
                    i += 3
                } else if byte == lf, i + 1 < n, p[i + 1] == space || p[i + 1] == tab {
                    i += 2
                } else {
                    break
                }
            }
            let valueStart = i

            // The value runs to a line end not followed by white space.
            var isFolded = false
            var valueEnd: Int
            while true {
                guard let lineFeed = p.firstIndex(of: lf, from: i, to: n) else {
                    throw SIPParseError(.headerSectionNotTerminated, offset: n)
                }
                let contentEnd = lineFeed > valueStart && p[lineFeed - 1] == cr ? lineFeed - 1 : lineFeed
                i = lineFeed + 1
                if i < n, p[i] == space || p[i] == tab {
                    isFolded = true
                    continue
                }
                valueEnd = contentEnd
                break
            }
            // Trailing white space, including a fold that holds nothing but white space.
            while valueEnd > valueStart, SIPCharacterClass.isLWS(p[valueEnd - 1]) { valueEnd -= 1 }

            let known = SIPHeaderName.Known.lookup(UnsafeBufferPointer(rebasing: p[nameStart..<nameEnd]))
            if known == .contentLength {
                let declared = try parseContentLength(p, valueStart..<valueEnd)
                if let contentLength, contentLength != declared {
                    throw SIPParseError(.conflictingContentLength, offset: valueStart)
                }
                contentLength = declared
            }
            fields.append(SIPHeaderFieldIndex(name: nameStart..<nameEnd, value: valueStart..<max(valueStart, valueEnd), known: known, isFolded: isFolded))
            guard fields.count <= limits.maximumHeaderCount else {
                throw SIPParseError(.tooManyHeaders(limit: limits.maximumHeaderCount), offset: nameStart)
            }
        }

        // Body: exactly Content-Length bytes; trailing octets of a datagram are ignored.
        let bodyStart = i
        let body: Range<Int>
        if let contentLength {
            guard contentLength <= n - bodyStart else {
                throw SIPParseError(.bodyTruncated(declared: contentLength, available: n - bodyStart), offset: bodyStart)
            }
            body = bodyStart..<(bodyStart + contentLength)
        } else {
            body = bodyStart..<n
        }
        return Parsed(head: head, fields: fields, body: body)
    }

    /// Reads a Content-Length value: decimal digits only, at most 10 of them.
    static func parseContentLength(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(SIPParseError) -> Int {
        guard !range.isEmpty, range.count <= 10 else {
            throw SIPParseError(.malformedContentLength, offset: range.lowerBound)
        }
        var value = 0
        for index in range {
            let byte = p[index]
            guard SIPCharacterClass.isDigit(byte) else { throw SIPParseError(.malformedContentLength, offset: index) }
            value = value * 10 + Int(byte &- 0x30)
        }
        return value
    }

    static func parseStartLine(_ p: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(SIPParseError) -> SIPMessage.Head {
        let start = line.lowerBound
        let end = line.upperBound
        if end - start >= 4, SIPCharacterClass.lowercased(p[start]) == UInt8(ascii: "s"),
            SIPCharacterClass.lowercased(p[start + 1]) == UInt8(ascii: "i"),
            SIPCharacterClass.lowercased(p[start + 2]) == UInt8(ascii: "p"), p[start + 3] == UInt8(ascii: "/")
        {
            return try parseStatusLine(p, line)
        }

        // Request-Line = Method SP Request-URI SP SIP-Version
        var i = start
        while i < end, SIPCharacterClass.isToken(p[i]) { i += 1 }
        let methodRange = start..<i
        guard !methodRange.isEmpty else { throw SIPParseError(.malformedMethod, offset: i) }
        guard i < end, p[i] == space else {
            throw SIPParseError(i < end ? .malformedMethod : .malformedStartLine, offset: i)
        }
        i += 1

        let uriStart = i
        while i < end, p[i] > space, p[i] != 0x7F { i += 1 }
        let uriRange = uriStart..<i
        guard i < end, p[i] == space else {
            throw SIPParseError(i < end ? .malformedRequestURI : .malformedStartLine, offset: i)
        }
        try checkURIScheme(p, uriRange)
        i += 1

        let versionRange = i..<end
        try checkVersion(p, versionRange)
        let method = SIPMethod(bytes: UnsafeBufferPointer(rebasing: p[methodRange]))
        return .request(method: method, uri: uriRange, version: versionRange)
    }

    /// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    static func parseStatusLine(_ p: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(SIPParseError) -> SIPMessage.Head {
        let end = line.upperBound
        var i = line.lowerBound
        while i < end, p[i] != space { i += 1 }
        let versionRange = line.lowerBound..<i
        try checkVersion(p, versionRange)
        guard i < end else { throw SIPParseError(.malformedStartLine, offset: i) }
        i += 1
        let codeStart = i
        var status = 0
        while i < end, SIPCharacterClass.isDigit(p[i]), i - codeStart < 4 {
            status = status * 10 + Int(p[i] &- 0x30)
            i += 1
        }
        guard i - codeStart == 3, (100...699).contains(status), i == end || p[i] == space else {
            throw SIPParseError(.malformedStatusCode, offset: codeStart)
        }
        let reasonStart = i < end ? i + 1 : end
        for index in reasonStart..<end where SIPCharacterClass.isControl(p[index]) {
            throw SIPParseError(.malformedReasonPhrase, offset: index)
        }
        return .response(version: versionRange, status: status, reason: reasonStart..<end)
    }

    /// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
    static func checkVersion(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(SIPParseError) {
        let start = range.lowerBound
        guard range.count >= 7, range.count <= 16,
            SIPCharacterClass.lowercased(p[start]) == UInt8(ascii: "s"),
            SIPCharacterClass.lowercased(p[start + 1]) == UInt8(ascii: "i"),
            SIPCharacterClass.lowercased(p[start + 2]) == UInt8(ascii: "p"), p[start + 3] == UInt8(ascii: "/")
        else { throw SIPParseError(.malformedVersion, offset: start) }
        var i = start + 4
        let majorStart = i
        while i < range.upperBound, SIPCharacterClass.isDigit(p[i]) { i += 1 }
        guard i > majorStart, i < range.upperBound, p[i] == UInt8(ascii: ".") else {
            throw SIPParseError(.malformedVersion, offset: i)
        }
        i += 1
        let minorStart = i
        while i < range.upperBound, SIPCharacterClass.isDigit(p[i]) { i += 1 }
        guard i > minorStart, i == range.upperBound else { throw SIPParseError(.malformedVersion, offset: i) }
    }

    /// Request-URI = absoluteURI: scheme ":" followed by at least one character.
    static func checkURIScheme(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(SIPParseError) {
        var i = range.lowerBound
        guard i < range.upperBound, SIPCharacterClass.isAlpha(p[i]) else {
            throw SIPParseError(.malformedRequestURI, offset: i)
        }
        while i < range.upperBound {
            let byte = p[i]
            if byte == UInt8(ascii: ":") { break }
            guard SIPCharacterClass.isAlphaNum(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
            else { throw SIPParseError(.malformedRequestURI, offset: i) }
            i += 1
        }
        guard i + 1 < range.upperBound else { throw SIPParseError(.malformedRequestURI, offset: i) }
    }
}
