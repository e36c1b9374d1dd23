/// What ``SIPMessage/validate(_:)`` parsed on the way: the headers every proxy reads, for the
/// caller to use instead of parsing them again.
public struct SIPValidatedHeaders: Sendable {
    /// Every Via value, top first (never empty).
    public var vias: [SIPVia]
    public var from: SIPNameAddress
    public var to: SIPNameAddress
    public var callID: String
    public var cseq: SIPCSeq
    public var contacts: [SIPContact]

    /// The top Via value.
    public var topVia: SIPVia { vias[0] }
}

extension SIPMessage {
    /// Checks that a proxy may forward this message (RFC 3261 §16.3, §8.2, §20), and throws the first
    /// rule it breaks.
    ///
    /// Checked: the SIP version; the mandatory headers (Via, From, To, Call-ID, CSeq) and that
    /// single-valued headers appear once; the Request-URI (syntax, scheme, no URI headers); the
    /// syntax of every header a proxy reads (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact,
    /// Route, Record-Route, Expires, Content-Type, Date, credentials and challenges, option tags);
    /// CSeq's method against the request's; Max-Forwards 0; Content-Length against the body; the
    /// body's Content-Type and, for SDP, the SDP itself; Proxy-Require; and control characters
    /// outside quoted strings in any header. With `screensHostileContent`, also attack payloads
    /// (see ``SIPValidationError/Rule/hostileContent``).
    ///
    /// Returns the typed headers it parsed (Via, From, To, Call-ID, CSeq, Contact).
    @discardableResult
    public func validate(_ options: SIPValidationOptions = .proxy) throws(SIPValidationError) -> SIPValidatedHeaders {
        let isRequest = self.isRequest
        guard isSIP20 else {
            throw SIPValidationError(.versionNotSupported, detail: "version \(version) is not SIP/2.0", status: 505)
        }

        // Presence and multiplicity.
        for name in [SIPHeaderName.via, .from, .to, .callID, .cseq] where !contains(name) {
            throw SIPValidationError(.missingHeader, header: name, detail: "mandatory header is missing")
        }
        // One bit per known header (raw values are below 128).
        var seen: (low: UInt64, high: UInt64) = (0, 0)
        for field in fields {
            guard let known = field.known, known.isSingleValued else { continue }
            let raw = known.rawValue
            let bit: UInt64 = 1 << UInt64(raw & 63)
            let already = raw < 64 ? seen.low & bit != 0 : seen.high & bit != 0
            if raw < 64 { seen.low |= bit } else { seen.high |= bit }
            if already {
                throw SIPValidationError(.multipleValues, header: SIPHeaderName(known), offset: field.name.lowerBound,
                                         detail: "header allows one value but appears again")
            }
        }
        try checkControlCharacters()
        if options.screensHostileContent { try checkHostileContent(options) }

        // Request-URI.
        var requestMethod: SIPMethod?
        if case .request(let method, let uriRange, _) = head {
            requestMethod = method
            let uri: SIPURI
            do {
                uri = try storage.withUnsafeBufferPointer { (buffer) throws(SIPParseError) -> SIPURI in
                    try SIPURI(bytes: UnsafeBufferPointer(rebasing: buffer[uriRange]), base: uriRange.lowerBound, header: nil)
                }
            } catch {
                throw SIPValidationError(.malformedRequestURI, offset: error.offset, detail: error.detail)
            }
            guard options.routableSchemes.contains(uri.scheme.description) else {
                throw SIPValidationError(.unsupportedURIScheme, offset: uriRange.lowerBound,
                                         detail: "Request-URI scheme '\(uri.scheme)' is not routable here", status: 416)
            }
            guard uri.headers.isEmpty else {
                throw SIPValidationError(.headersInRequestURI, offset: uriRange.lowerBound,
                                         detail: "Request-URI carries URI headers ('?...')")
            }
        }

        // Typed headers.
        let vias: [SIPVia]
        do { vias = try self.vias() } catch {
            throw SIPValidationError(.invalidVia, header: .via, offset: error.offset, detail: error.detail)
        }
        guard let top = vias.first else {
            throw SIPValidationError(.missingHeader, header: .via, detail: "Via has no value")
        }
        guard Self.equalsIgnoringASCIICase(top.protocolName, "sip"), top.protocolVersion == "2.0" else {
            throw SIPValidationError(.invalidVia, header: .via, detail: "top Via is not SIP/2.0")
        }
        let cseq: SIPCSeq
        let from: SIPNameAddress
        let to: SIPNameAddress
        let callID: String
        let proxyRequired: [String]
        do {
            from = try self.from()
            to = try self.to()
            callID = try self.callID()
            cseq = try self.cseq()
            _ = try maxForwards()
            _ = try expires()
            _ = try routes()
            _ = try recordRoutes()
            _ = try contentType()
            _ = try authorizations()
            _ = try proxyAuthorizations()
            _ = try wwwAuthenticates()
            _ = try proxyAuthenticates()
            _ = try require()
            proxyRequired = try proxyRequire()
            _ = try supported()
            _ = try allow()
            try checkDate()
        } catch {
            throw SIPValidationError(.malformedHeader, header: error.header, offset: error.offset, detail: error.detail)
        }
        let contacts: [SIPContact]
        do { contacts = try self.contacts() } catch {
            throw SIPValidationError(.invalidContact, header: .contact, offset: error.offset, detail: error.detail)
        }
        if contacts.contains(.wildcard) {
            guard requestMethod == .register, contacts.count == 1, (try? expires()) == 0 else {
                throw SIPValidationError(.invalidContact, header: .contact,
                                         detail: "'Contact: *' is allowed only alone, in a REGISTER with Expires: 0")
            }
        }

        if let requestMethod {
            guard cseq.method == requestMethod else {
                throw SIPValidationError(.cseqMethodMismatch, header: .cseq,
                                         detail: "CSeq method \(cseq.method) differs from request method \(requestMethod)",
                                         status: requestMethod.isKnown ? 400 : 501)
            }
            if options.forwarding, (try? maxForwards()) == 0 {
                throw SIPValidationError(.tooManyHops, header: .maxForwards, detail: "Max-Forwards is 0", status: 483)
            }
            let unsupported = proxyRequired.filter { !options.supportedProxyExtensions.contains($0) }
            if !unsupported.isEmpty {
                throw SIPValidationError(.badExtension, header: .proxyRequire,
                                         detail: "unsupported option tags: \(unsupported.joined(separator: ", "))",
                                         status: 420, unsupportedTags: unsupported)
            }
        }

        // Body.
        if let declared = try? contentLength(), declared != bodyRange.count {
            throw SIPValidationError(.contentLengthMismatch, header: .contentLength,
                                     detail: "Content-Length \(declared) but the body has \(bodyRange.count) bytes")
        }
        if !bodyRange.isEmpty {
            guard let type = try? contentType() else {
                throw SIPValidationError(.missingContentType, header: .contentType, detail: "a message with a body needs Content-Type")
            }
            if options.checksSDP, type.isSDP {
                do {
                    _ = try SDPSession(parsing: bodyBytes)
                } catch {
                    throw SIPValidationError(.malformedBody, offset: bodyRange.lowerBound + error.offset, detail: "SDP: \(error)")
                }
            }
        }
        _ = isRequest
        return SIPValidatedHeaders(vias: vias, from: from, to: to, callID: callID, cseq: cseq, contacts: contacts)
    }

    /// Whether the start line's version is `SIP/2.0` (in any case).
    private var isSIP20: Bool {
        let range: Range<Int>
        switch head {
        case .request(_, _, let version), .response(let version, _, _): range = version
        }
        guard range.count == 7 else { return false }
        return storage.withUnsafeBufferPointer { buffer in
            var index = range.lowerBound
            for expected in "sip/2.0".utf8 {
                guard SIPCharacterClass.lowercased(buffer[index]) == expected else { return false }
                index += 1
            }
            return true
        }
    }

    /// Whether `text` equals `lowered` (lowercase ASCII) ignoring the case of ASCII letters.
    static func equalsIgnoringASCIICase(_ text: String, _ lowered: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count == lowered.utf8CodeUnitCount else { return false }
            let expected = UnsafeBufferPointer(start: lowered.utf8Start, count: lowered.utf8CodeUnitCount)
            for index in 0..<bytes.count where SIPCharacterClass.lowercased(bytes[index]) != expected[index] { return false }
            return true
        }
    }

    /// Control characters may appear in a header value only as quoted pairs inside a quoted string
    /// (RFC 3261 §25.1); CR and LF only as part of a fold.
    func checkControlCharacters() throws(SIPValidationError) {
        let fault: (Int, SIPHeaderName.Known?)? = storage.withUnsafeBufferPointer { buffer in
            for field in fields {
                var index = field.value.lowerBound
                var inQuotes = false
                while index < field.value.upperBound {
                    let byte = buffer[index]
                    if inQuotes, byte == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
                    if byte == 0x0D || byte == 0x0A {
                        // A fold: CR? LF followed by white space.
                        var next = index + 1
                        if byte == 0x0D {
                            guard next < field.value.upperBound, buffer[next] == 0x0A else { return (index, field.known) }
                            next += 1
                        }
                        guard next < field.value.upperBound, SIPCharacterClass.isWhitespace(buffer[next]) else {
                            return (index, field.known)
                        }
                        index = next
                        continue
                    }
                    if SIPCharacterClass.isControl(byte) { return (index, field.known) }
                    index += 1
                }
            }
            return nil
        }
        if let (offset, known) = fault {
            throw SIPValidationError(.controlCharacter, header: known.map(SIPHeaderName.init), offset: offset,
                                     detail: "control character in a header value")
        }
    }

    /// Date = rfc1123-date: `wkday "," SP 2DIGIT SP month SP 4DIGIT SP HH:MM:SS SP "GMT"` (RFC 3261 §20.17).
    func checkDate() throws(SIPParseError) {
        guard let index = firstFieldIndex(of: .date) else { return }
        let field = fields[index]
        let text = valueString(field)
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        let days: Set<Substring> = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months: Set<Substring> = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let time = parts.count == 6 ? parts[4].split(separator: ":") : []
        guard parts.count == 6, days.contains(parts[0]), parts[1].count == 2, parts[1].allSatisfy(\.isASCIIDigit),
            months.contains(parts[2]), parts[3].count == 4, parts[3].allSatisfy(\.isASCIIDigit),
            time.count == 3, time.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }), parts[5] == "GMT"
        else {
            throw SIPParseError(.malformedHeaderValue("Date is not an RFC 1123 date in GMT"), offset: field.value.lowerBound, header: .date)
        }
    }
}
