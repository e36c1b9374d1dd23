/// A SIP request or response (RFC 3261 §7).
///
/// A message owns the bytes it was parsed from and indexes them: the start line, each header's
/// name and value, and the body are ranges into one buffer, so parsing copies nothing and a
/// forwarded message is written out with a single pass over those ranges. Typed views (``via()``,
/// ``from()``, ``cseq()`` ...) read a header's bytes when they are asked for.
///
/// Edits (adding a Via, rewriting the Request-URI, replacing the body) append the new bytes to the
/// buffer and move the ranges; untouched parts are never copied or re-encoded.
public struct SIPMessage: Sendable {
    @usableFromInline
    enum Head: Sendable, Hashable {
        case request(method: SIPMethod, uri: Range<Int>, version: Range<Int>)
        case response(version: Range<Int>, status: Int, reason: Range<Int>)
    }

    @usableFromInline var storage: [UInt8]
    @usableFromInline var head: Head
    @usableFromInline var fields: [SIPHeaderFieldIndex]
    @usableFromInline var bodyRange: Range<Int>

    @usableFromInline
    init(storage: [UInt8], head: Head, fields: [SIPHeaderFieldIndex], bodyRange: Range<Int>) {
        self.storage = storage
        self.head = head
        self.fields = fields
        self.bodyRange = bodyRange
    }
}

// MARK: - Start line

extension SIPMessage {
    /// Whether this is a request.
    @inlinable
    public var isRequest: Bool {
        if case .request = head { return true }
        return false
    }

    /// Whether this is a response.
    @inlinable
    public var isResponse: Bool { !isRequest }

    /// The request method, or `nil` for a response.
    @inlinable
    public var method: SIPMethod? {
        if case .request(let method, _, _) = head { return method }
        return nil
    }

    /// The Request-URI as written, or `nil` for a response.
    public var requestURIText: String? {
        if case .request(_, let uri, _) = head { return string(uri) }
        return nil
    }

    /// The status code, or `nil` for a request.
    @inlinable
    public var statusCode: Int? {
        if case .response(_, let status, _) = head { return status }
        return nil
    }

    /// The reason phrase, or `nil` for a request.
    public var reasonPhrase: String? {
        if case .response(_, _, let reason) = head { return string(reason) }
        return nil
    }

    /// The SIP version as written (`SIP/2.0`).
    public var version: String {
        switch head {
        case .request(_, _, let version), .response(let version, _, _): string(version)
        }
    }

    /// The start line as text, without the line break.
    public var startLine: String {
        switch head {
        case .request(let method, let uri, let version):
            "\(method.token) \(string(uri)) \(string(version))"
        case .response(let version, let status, let reason):
            "\(string(version)) \(status) \(string(reason))"
        }
    }

    /// Replaces the Request-URI of a request; does nothing to a response.
    public mutating func setRequestURI(_ uri: String) {
        guard case .request(let method, _, let version) = head else { return }
        head = .request(method: method, uri: append(uri), version: version)
    }

    /// Replaces the status line of a response; does nothing to a request.
    public mutating func setStatus(_ status: Int, reason: String) {
        guard case .response(let version, _, _) = head else { return }
        head = .response(version: version, status: status, reason: append(reason))
    }
}

// MARK: - Header fields

extension SIPMessage {
    /// The number of header fields (a field with several comma-separated values counts once).
    public var headerCount: Int { fields.count }

    /// Every header field in order, as text.
    public var headerFields: [SIPHeaderField] {
        fields.map { field in
            let rawName = string(field.name)
            let name = field.known.map(SIPHeaderName.init) ?? SIPHeaderName(rawName)
            return SIPHeaderField(name: name, rawName: rawName, value: valueString(field))
        }
    }

    /// Whether at least one field has this name.
    public func contains(_ name: SIPHeaderName) -> Bool {
        firstFieldIndex(of: name) != nil
    }

    /// The number of fields with this name.
    public func fieldCount(of name: SIPHeaderName) -> Int {
        var count = 0
        for field in fields where matches(field, name) { count += 1 }
        return count
    }

    /// The value of the first field with this name, unfolded; `nil` when absent.
    public func firstValue(of name: SIPHeaderName) -> String? {
        firstFieldIndex(of: name).map { valueString(fields[$0]) }
    }

    /// Every value of this header in order. Fields of list headers (Via, Contact, Route, ...) are
    /// split at top-level commas, outside quoted strings and `<...>`; other headers give one value
    /// per field.
    public func values(of name: SIPHeaderName) -> [String] {
        var result: [String] = []
        forEachValue(of: name) { bytes, _ in
            result.append(SIPMessage.unfoldedString(bytes))
        }
        return result
    }

    /// Adds a field at the end of the header section.
    public mutating func appendHeader(_ name: SIPHeaderName, _ value: String) {
        fields.append(makeField(name, value))
    }

    /// Adds a field before the field at `position` (0 puts it first, as a proxy does with Via).
    public mutating func insertHeader(_ name: SIPHeaderName, _ value: String, at position: Int = 0) {
        fields.insert(makeField(name, value), at: Swift.min(Swift.max(position, 0), fields.count))
    }

    /// Adds a field before the first field with the same name, or at the top if there is none.
    public mutating func prependHeader(_ name: SIPHeaderName, _ value: String) {
        insertHeader(name, value, at: firstFieldIndex(of: name) ?? 0)
    }

    /// Replaces every field of this name by one with `value`, where the first one stood.
    public mutating func setHeader(_ name: SIPHeaderName, _ value: String) {
        guard let position = firstFieldIndex(of: name) else {
            fields.append(makeField(name, value))
            return
        }
        let field = makeField(name, value)
        fields[position] = field
        removeFields(named: name, after: position)
    }

    /// Removes every field of this name; returns how many were removed.
    @discardableResult
    public mutating func removeHeaders(_ name: SIPHeaderName) -> Int {
        guard let first = firstFieldIndex(of: name) else { return 0 }
        let before = fields.count
        removeFields(named: name, after: first - 1)
        return before - fields.count
    }

    /// Removes the fields of this name that stand after `position`, in place (no new index).
    mutating func removeFields(named name: SIPHeaderName, after position: Int) {
        var kept = position + 1
        for index in kept..<fields.count where !matches(fields[index], name) {
            fields[kept] = fields[index]
            kept += 1
        }
        fields.removeSubrange(kept...)
    }

    /// Removes the fields whose name satisfies the predicate; returns how many were removed.
    @discardableResult
    public mutating func removeHeaders(where predicate: (SIPHeaderName) -> Bool) -> Int {
        let before = fields.count
        var kept: [SIPHeaderFieldIndex] = []
        kept.reserveCapacity(fields.count)
        for field in fields {
            let name = field.known.map(SIPHeaderName.init) ?? SIPHeaderName(string(field.name))
            if !predicate(name) { kept.append(field) }
        }
        fields = kept
        return before - fields.count
    }

    /// Removes the first value of a list header (the top Via of a response, the top Route of a
    /// request). A field holding several comma-separated values keeps the rest.
    /// Returns the removed value, or `nil` if the header is absent.
    @discardableResult
    public mutating func removeFirstValue(of name: SIPHeaderName) -> String? {
        guard let index = firstFieldIndex(of: name) else { return nil }
        let field = fields[index]
        let split: (first: Range<Int>, rest: Range<Int>?) = storage.withUnsafeBufferPointer { buffer in
            guard name.known?.isCommaSeparatedList == true,
                let comma = SIPValueScanner.firstTopLevelComma(in: buffer, field.value)
            else { return (field.value, nil) }
            var restStart = comma + 1
            while restStart < field.value.upperBound, SIPCharacterClass.isLWS(buffer[restStart]) { restStart += 1 }
            var firstEnd = comma
            while firstEnd > field.value.lowerBound, SIPCharacterClass.isLWS(buffer[firstEnd - 1]) { firstEnd -= 1 }
            let rest = restStart..<field.value.upperBound
            return (field.value.lowerBound..<firstEnd, rest.isEmpty ? nil : rest)
        }
        let removed = storage.withUnsafeBufferPointer { SIPMessage.unfoldedString(UnsafeBufferPointer(rebasing: $0[split.first])) }
        if let rest = split.rest {
            fields[index].value = rest
        } else {
            fields.remove(at: index)
        }
        return removed
    }

    @inlinable
    func matches(_ field: SIPHeaderFieldIndex, _ name: SIPHeaderName) -> Bool {
        if let known = name.known { return field.known == known }
        guard field.known == nil, field.name.count == name.key.utf8.count else { return false }
        return storage.withUnsafeBufferPointer { buffer in
            var index = field.name.lowerBound
            for byte in name.key.utf8 {
                if SIPCharacterClass.lowercased(buffer[index]) != byte { return false }
                index += 1
            }
            return true
        }
    }

    @inlinable
    func firstFieldIndex(of name: SIPHeaderName) -> Int? {
        if let known = name.known {
            return fields.firstIndex { $0.known == known }
        }
        return fields.firstIndex { matches($0, name) }
    }

    /// Calls `body` with the bytes of every value of `name` (list headers split at top-level commas)
    /// and the offset of those bytes in the message.
    /// With `skippingEmptyFields`, a field whose whole value is empty gives no value at all
    /// (an empty list, as `Supported:` means); an empty item inside a list is still passed on.
    func forEachValue<E: Error>(
        of name: SIPHeaderName,
        skippingEmptyFields: Bool = false,
        _ body: (UnsafeBufferPointer<UInt8>, Int) throws(E) -> Void
    ) throws(E) {
        let isList = name.known?.isCommaSeparatedList ?? false
        try storage.withUnsafeBufferPointer { (buffer) throws(E) -> Void in
            for field in fields where matches(field, name) {
                if skippingEmptyFields, field.value.isEmpty { continue }
                if isList {
                    var start = field.value.lowerBound
                    while start <= field.value.upperBound {
                        let comma = SIPValueScanner.firstTopLevelComma(in: buffer, start..<field.value.upperBound)
                        let end = comma ?? field.value.upperBound
                        var lower = start
                        var upper = end
                        while lower < upper, SIPCharacterClass.isLWS(buffer[lower]) { lower += 1 }
                        while upper > lower, SIPCharacterClass.isLWS(buffer[upper - 1]) { upper -= 1 }
                        try body(UnsafeBufferPointer(rebasing: buffer[lower..<upper]), lower)
                        guard let comma else { break }
                        start = comma + 1
                    }
                } else {
                    try body(UnsafeBufferPointer(rebasing: buffer[field.value]), field.value.lowerBound)
                }
            }
        }
    }
}

// MARK: - Body

extension SIPMessage {
    /// The body's bytes, without copying.
    @inlinable
    public var bodyBytes: ArraySlice<UInt8> { storage[bodyRange] }

    /// The body. Setting it also sets Content-Length to the new size.
    public var body: [UInt8] {
        get { Array(storage[bodyRange]) }
        set {
            let start = storage.count
            storage.append(contentsOf: newValue)
            bodyRange = start..<storage.count
            setHeader(.contentLength, String(newValue.count))
        }
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { string(bodyRange) }
}

// MARK: - Building messages

extension SIPMessage {
    /// A request built from parts. Content-Length is added from the body when not given.
    public init(
        method: SIPMethod,
        uri: String,
        headers: [(SIPHeaderName, String)],
        body: [UInt8] = []
    ) {
        var storage: [UInt8] = []
        storage.reserveCapacity(256 + body.count)
        func put(_ text: String) -> Range<Int> {
            let start = storage.count
            storage.append(contentsOf: text.utf8)
            return start..<storage.count
        }
        let uriRange = put(uri)
        let versionRange = put("SIP/2.0")
        self.init(storage: storage, head: .request(method: method, uri: uriRange, version: versionRange), fields: [], bodyRange: 0..<0)
        for (name, value) in headers { appendHeader(name, value) }
        let start = self.storage.count
        self.storage.append(contentsOf: body)
        self.bodyRange = start..<self.storage.count
        if !contains(.contentLength) { appendHeader(.contentLength, String(body.count)) }
    }

    /// A response built from parts. Content-Length is added from the body when not given.
    public init(
        status: Int,
        reason: String,
        headers: [(SIPHeaderName, String)],
        body: [UInt8] = []
    ) {
        var storage: [UInt8] = Array("SIP/2.0".utf8)
        let versionRange = 0..<storage.count
        let reasonStart = storage.count
        storage.append(contentsOf: reason.utf8)
        self.init(storage: storage, head: .response(version: versionRange, status: status, reason: reasonStart..<storage.count), fields: [], bodyRange: 0..<0)
        for (name, value) in headers { appendHeader(name, value) }
        let start = self.storage.count
        self.storage.append(contentsOf: body)
        self.bodyRange = start..<self.storage.count
        if !contains(.contentLength) { appendHeader(.contentLength, String(body.count)) }
    }

    /// A response to this request as RFC 3261 §8.2.6 builds it: the request's Via fields, From,
    /// To (with `toTag` added if given and the To has no tag yet), Call-ID and CSeq, and an empty body.
    public func makeResponse(status: Int, reason: String, toTag: String? = nil) -> SIPMessage {
        var response = SIPMessage(status: status, reason: reason, headers: [], body: [])
        response.fields.removeAll()
        for field in fields {
            guard let known = field.known else { continue }
            switch known {
            case .via, .from, .callID, .cseq:
                response.appendHeader(SIPHeaderName(known), valueString(field))
            case .to:
                var value = valueString(field)
                if let toTag, (try? self.to().tag) == nil { value += ";tag=\(toTag)" }
                response.appendHeader(.to, value)
            default:
                continue
            }
        }
        response.appendHeader(.contentLength, "0")
        return response
    }
}

// MARK: - Byte helpers

extension SIPMessage {
    @inlinable
    func string(_ range: Range<Int>) -> String {
        storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    func valueString(_ field: SIPHeaderFieldIndex) -> String {
        storage.withUnsafeBufferPointer { buffer in
            let bytes = UnsafeBufferPointer(rebasing: buffer[field.value])
            return field.isFolded ? SIPMessage.unfoldedString(bytes) : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The text of header bytes with each line fold (CR LF and the white space after it) read as one space.
    static func unfoldedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(0x0A) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                while let last = out.last, SIPCharacterClass.isWhitespace(last) { out.removeLast() }
                index += 1
                while index < bytes.count, SIPCharacterClass.isLWS(bytes[index]) { index += 1 }
                out.append(0x20)
                continue
            }
            out.append(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends text to the buffer and returns its range.
    mutating func append(_ text: String) -> Range<Int> {
        let start = storage.count
        storage.append(contentsOf: text.utf8)
        return start..<storage.count
    }

    /// A new field for `name: value`. Line breaks in the value become spaces, so no caller can
    /// smuggle an extra header line into a message.
    mutating func makeField(_ name: SIPHeaderName, _ value: String) -> SIPHeaderFieldIndex {
        let nameRange = append(name.text)
        let valueStart = storage.count
        for byte in value.utf8 {
            storage.append(byte == 0x0D || byte == 0x0A ? 0x20 : byte)
        }
        return SIPHeaderFieldIndex(name: nameRange, value: valueStart..<storage.count, known: name.known, isFolded: false)
    }
}

// MARK: - Rewriting values in place

extension SIPMessage {
    /// Rewrites header values in place, keeping every field's position and name: `transform` gets
    /// each field's name and (unfolded) value and returns a new value, or `nil` to keep it.
    ///
    /// `mayRewrite` sees each field's known name (`nil` for others) and raw value bytes first; a
    /// field it turns down is kept without its value being decoded.
    public mutating func rewriteHeaderValues(
        mayRewrite: (SIPHeaderName.Known?, UnsafeBufferPointer<UInt8>) -> Bool = { _, _ in true },
        _ transform: (SIPHeaderName, String) -> String?
    ) {
        for index in fields.indices {
            let field = fields[index]
            let candidate = storage.withUnsafeBufferPointer { mayRewrite(field.known, UnsafeBufferPointer(rebasing: $0[field.value])) }
            guard candidate else { continue }
            let name = field.known.map(SIPHeaderName.init) ?? SIPHeaderName(string(field.name))
            guard let replacement = transform(name, valueString(field)) else { continue }
            let rewritten = makeField(name, replacement)
            fields[index].value = rewritten.value
            fields[index].isFolded = false
        }
    }
}
