extension SIPMessage {
    /// Looks for content that no legitimate phone or PBX sends but attack tools and fuzzers do:
    /// header values or SDP lines longer than `options.maximumValueLength`, runs of printf
    /// directives (`%s%s`, `%.999d%n`) where a C-based PBX might format them, and bytes that are not
    /// UTF-8 in header values or an SDP body.
    ///
    /// `%HH` escapes never count as directives, and a single directive-looking sequence is
    /// tolerated (RFC 4475 §3.1.1.5 has a branch `z9hG4bK209%fzsnel234`).
    func checkHostileContent(_ options: SIPValidationOptions) throws(SIPValidationError) {
        let limit = options.maximumValueLength
        let fault: SIPValidationError? = storage.withUnsafeBufferPointer { buffer in
            if case .request(_, let uri, _) = head, let fault = Self.inspect(buffer, uri, limit: limit, header: nil, what: "Request-URI") {
                return fault
            }
            for field in fields {
                if var fault = Self.inspect(buffer, field.value, limit: limit, header: nil, what: "value") {
                    fault.header = field.known.map(SIPHeaderName.init) ?? SIPHeaderName(string(field.name))
                    return fault
                }
            }
            if !bodyRange.isEmpty, (try? contentType())??.isSDP == true {
                var lineStart = bodyRange.lowerBound
                while lineStart < bodyRange.upperBound {
                    var lineEnd = buffer.firstIndex(of: 0x0A, from: lineStart, to: bodyRange.upperBound) ?? bodyRange.upperBound
                    let next = lineEnd + 1
                    if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    if let fault = Self.inspect(buffer, lineStart..<lineEnd, limit: limit, header: nil, what: "SDP line") { return fault }
                    lineStart = next
                }
            }
            return nil
        }
        if let fault { throw fault }
    }

    private static func inspect(
        _ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, limit: Int, header: SIPHeaderName?, what: String
    ) -> SIPValidationError? {
        if range.count > limit {
            return SIPValidationError(.hostileContent, header: header, offset: range.lowerBound,
                                      detail: "\(what) is \(range.count) bytes long, over the limit of \(limit)")
        }
        let bytes = UnsafeBufferPointer(rebasing: buffer[range])
        if let directive = formatDirectiveRun(bytes) {
            return SIPValidationError(.hostileContent, header: header, offset: range.lowerBound + directive,
                                      detail: "\(what) holds printf format directives")
        }
        if let invalid = firstInvalidUTF8(bytes) {
            return SIPValidationError(.hostileContent, header: header, offset: range.lowerBound + invalid,
                                      detail: "\(what) is not valid UTF-8")
        }
        return nil
    }

    /// The offset of the second printf directive in `bytes`, if there are two or more.
    static func formatDirectiveRun(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var found = 0
        var index = 0
        while let percent = bytes.firstIndex(of: UInt8(ascii: "%"), from: index, to: bytes.count) {
            var cursor = percent + 1
            // `%HH` is an escape, not a directive.
            if cursor + 1 < bytes.count, SIPCharacterClass.isHex(bytes[cursor]), SIPCharacterClass.isHex(bytes[cursor + 1]),
                cursor + 2 >= bytes.count || !isConversion(bytes[cursor + 2]) || !SIPCharacterClass.isDigit(bytes[cursor + 1])
            {
                index = cursor + 2
                continue
            }
            while cursor < bytes.count, "-+ #0".utf8.contains(bytes[cursor]) { cursor += 1 }
            while cursor < bytes.count, SIPCharacterClass.isDigit(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "*") { cursor += 1 }
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") {
                cursor += 1
                while cursor < bytes.count, SIPCharacterClass.isDigit(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "*") { cursor += 1 }
            }
            while cursor < bytes.count, "hlLqjzt".utf8.contains(bytes[cursor]) { cursor += 1 }
            if cursor < bytes.count, isConversion(bytes[cursor]) {
                found += 1
                if found >= 2 { return percent }
                index = cursor + 1
            } else {
                index = percent + 1
            }
        }
        return nil
    }

    private static func isConversion(_ byte: UInt8) -> Bool {
        "sdnxXpuicoeEfgG".utf8.contains(byte)
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80
            case 0xE0...0xEF: length = 3; minimum = 0x800
            case 0xF0...0xF4: length = 4; minimum = 0x10000
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            var scalar = UInt32(lead) & (0xFF >> UInt32(length + 1))
            for offset in 1..<length {
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return index }
            minimum = 0
            index += length
        }
        return nil
    }
}
