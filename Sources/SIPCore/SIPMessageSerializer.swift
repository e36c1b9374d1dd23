extension SIPMessage {
    /// The number of bytes ``serialize(into:)`` writes.
    public var serializedSize: Int {
        var size: Int
        switch head {
        case .request(let method, let uri, let version):
            size = method.token.utf8.count + 1 + uri.count + 1 + version.count + 2
        case .response(let version, _, let reason):
            size = version.count + 5 + reason.count + 2
        }
        for field in fields { size += field.name.count + 2 + field.value.count + 2 }
        return size + 2 + bodyRange.count
    }

    /// Writes the message: start line, each field as `Name: value` in order (names as they were
    /// written, values byte for byte), an empty line and the body.
    public func serialize(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + serializedSize)
        storage.withUnsafeBufferPointer { buffer in
            @inline(__always) func put(_ range: Range<Int>) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
            }
            switch head {
            case .request(let method, let uri, let version):
                switch method {
                case .other:
                    out.append(contentsOf: method.token.utf8)
                default:
                    var token = method.token
                    token.withUTF8 { out.append(contentsOf: $0) }
                }
                out.append(0x20)
                put(uri)
                out.append(0x20)
                put(version)
            case .response(let version, let status, let reason):
                put(version)
                out.append(0x20)
                out.append(UInt8(truncatingIfNeeded: 0x30 + status / 100 % 10))
                out.append(UInt8(truncatingIfNeeded: 0x30 + status / 10 % 10))
                out.append(UInt8(truncatingIfNeeded: 0x30 + status % 10))
                out.append(0x20)
                put(reason)
            }
            out.append(0x0D)
            out.append(0x0A)
            for field in fields {
                put(field.name)
                out.append(UInt8(ascii: ":"))
                out.append(0x20)
                put(field.value)
                out.append(0x0D)
                out.append(0x0A)
            }
            out.append(0x0D)
            out.append(0x0A)
            put(bodyRange)
        }
    }

    /// The message as bytes, ready to send.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }
}

extension SIPMessage: Equatable {
    /// Messages are equal when their start lines, header fields (names compared case-insensitively,
    /// values byte for byte, in order) and bodies are equal.
    public static func == (lhs: SIPMessage, rhs: SIPMessage) -> Bool {
        switch (lhs.head, rhs.head) {
        case (.request(let lm, let lu, let lv), .request(let rm, let ru, let rv)):
            guard lm == rm, lhs.bytesEqual(lu, rhs, ru), lhs.bytesEqual(lv, rhs, rv) else { return false }
        case (.response(let lv, let ls, let lr), .response(let rv, let rs, let rr)):
            guard ls == rs, lhs.bytesEqual(lv, rhs, rv), lhs.bytesEqual(lr, rhs, rr) else { return false }
        default:
            return false
        }
        guard lhs.fields.count == rhs.fields.count, lhs.bytesEqual(lhs.bodyRange, rhs, rhs.bodyRange) else { return false }
        for (left, right) in zip(lhs.fields, rhs.fields) {
            guard left.known == right.known, lhs.bytesEqual(left.value, rhs, right.value),
                lhs.bytesEqual(left.name, rhs, right.name, caseInsensitive: true)
            else { return false }
        }
        return true
    }

    func bytesEqual(_ range: Range<Int>, _ other: SIPMessage, _ otherRange: Range<Int>, caseInsensitive: Bool = false) -> Bool {
        guard range.count == otherRange.count else { return false }
        return storage.withUnsafeBufferPointer { left in
            other.storage.withUnsafeBufferPointer { right in
                var j = otherRange.lowerBound
                for i in range {
                    if caseInsensitive {
                        guard SIPCharacterClass.lowercased(left[i]) == SIPCharacterClass.lowercased(right[j]) else { return false }
                    } else {
                        guard left[i] == right[j] else { return false }
                    }
                    j += 1
                }
                return true
            }
        }
    }
}

extension SIPMessage: CustomStringConvertible {
    /// The message as text (invalid UTF-8 replaced), for logs and tests.
    public var description: String { String(decoding: serialized(), as: UTF8.self) }
}
