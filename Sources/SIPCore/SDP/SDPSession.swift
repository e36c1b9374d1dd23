/// An SDP session description (RFC 4566).
///
/// Parse one with ``init(parsing:)`` and write it back
/// with ``serialized()``; a parsed session serializes to a body that parses back
/// to an equal value.
public struct SDPSession: Sendable, Hashable {
    /// The maximum number of media sections the parser accepts.
    public static let maximumMediaCount = 64

    /// The maximum number of lines the parser accepts.
    public static let maximumLineCount = 1024

    /// The protocol version (`v=`); always `0`.
    public var version: Int
    /// The session originator and identifier (`o=`).
    public var origin: SDPOrigin
    /// The session name (`s=`); a single space when there is no meaningful name.
    public var sessionName: String
    /// The session information (`i=`).
    public var information: String?
    /// The URI of a description of the session (`u=`).
    public var uri: String?
    /// Email addresses (`e=`), raw.
    public var emails: [String]
    /// Phone numbers (`p=`), raw.
    public var phones: [String]
    /// Session-level connection data (`c=`).
    public var connection: SDPConnection?
    /// Session-level bandwidth lines (`b=`).
    public var bandwidths: [SDPBandwidth]
    /// Timing lines (`t=` with their `r=` lines); at least one when parsed.
    public var times: [SDPTime]
    /// Time zone adjustments (`z=`), raw.
    public var timeZones: String?
    /// The session-level encryption key line (`k=`), raw.
    public var encryptionKey: String?
    /// Session-level attributes (`a=`), in order.
    public var attributes: [SDPAttribute]
    /// The media descriptions (`m=` sections), in order.
    public var media: [SDPMedia]

    /// Creates a session description.
    ///
    /// - Parameters:
    ///   - version: The protocol version, `0`.
    ///   - origin: The `o=` line.
    ///   - sessionName: The `s=` value; a single space by default.
    ///   - information: The optional `i=` value.
    ///   - uri: The optional `u=` value.
    ///   - emails: The `e=` values.
    ///   - phones: The `p=` values.
    ///   - connection: Optional session-level connection data.
    ///   - bandwidths: Session-level bandwidth lines.
    ///   - times: Timing lines; `t=0 0` by default.
    ///   - timeZones: The optional raw `z=` value.
    ///   - encryptionKey: The optional raw `k=` value.
    ///   - attributes: Session-level attributes.
    ///   - media: Media descriptions.
    public init(
        version: Int = 0,
        origin: SDPOrigin,
        sessionName: String = " ",
        information: String? = nil,
        uri: String? = nil,
        emails: [String] = [],
        phones: [String] = [],
        connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [],
        times: [SDPTime] = [SDPTime()],
        timeZones: String? = nil,
        encryptionKey: String? = nil,
        attributes: [SDPAttribute] = [],
        media: [SDPMedia] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.uri = uri
        self.emails = emails
        self.phones = phones
        self.connection = connection
        self.bandwidths = bandwidths
        self.times = times
        self.timeZones = timeZones
        self.encryptionKey = encryptionKey
        self.attributes = attributes
        self.media = media
    }

    // MARK: Attributes and derived values

    /// All session-level attributes with the given name, in order.
    public func attributes(named name: String) -> [SDPAttribute] {
        self.attributes.filter { $0.name == name }
    }

    /// The first session-level attribute with the given name, if any.
    public func firstAttribute(named name: String) -> SDPAttribute? {
        self.attributes.first { $0.name == name }
    }

    /// The direction attribute present at the session level, if any.
    ///
    /// Setting it replaces every session-level direction attribute; setting
    /// `nil` removes them.
    public var explicitDirection: SDPDirection? {
        get {
            self.attributes.lazy.compactMap { $0.value == nil ? SDPDirection(rawValue: $0.name) : nil }.first
        }
        set {
            let replacement = newValue.map { [SDPAttribute(name: $0.rawValue)] } ?? []
            self.attributes.replaceAll(where: { SDPDirection.isDirection($0.name) }, with: replacement)
        }
    }

    /// The direction that applies to `media`: its media-level direction
    /// attribute, else the session-level one, else `.sendrecv`.
    public func effectiveDirection(of media: SDPMedia) -> SDPDirection {
        media.explicitDirection ?? self.explicitDirection ?? .sendrecv
    }

    /// The connection data that applies to `media`: its own `c=` line, else
    /// the session-level one.
    public func effectiveConnection(of media: SDPMedia) -> SDPConnection? {
        media.connection ?? self.connection
    }
}

// MARK: - Parsing and serialization

extension SDPSession {
    /// Parses an SDP body. Accepts CRLF or bare LF line endings; trailing empty lines OK.
    ///
    /// - Parameter bytes: The SDP body.
    /// - Throws: ``SDPParseError`` describing the first problem found.
    public init(parsing bytes: some Collection<UInt8>) throws(SDPParseError) {
        var parser = SDPParser(body: Array(bytes))
        self = try parser.parse()
    }

    /// Parses an SDP body given as text. Accepts CRLF or bare LF line endings;
    /// trailing empty lines OK.
    ///
    /// - Parameter text: The SDP body.
    /// - Throws: ``SDPParseError`` describing the first problem found.
    public init(parsing text: String) throws(SDPParseError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Serialises with CRLF line endings, fields in RFC 4566 order.
    public func serialized() -> [UInt8] {
        var writer = SDPWriter()
        writer.line("v", "\(self.version)")
        writer.line("o", self.origin.lineValue)
        writer.line("s", self.sessionName)
        writer.line("i", self.information)
        writer.line("u", self.uri)
        for email in self.emails { writer.line("e", email) }
        for phone in self.phones { writer.line("p", phone) }
        writer.line("c", self.connection?.lineValue)
        for bandwidth in self.bandwidths { writer.line("b", bandwidth.lineValue) }
        for time in self.times {
            writer.line("t", time.lineValue)
            for repeatValue in time.repeats { writer.line("r", repeatValue) }
        }
        writer.line("z", self.timeZones)
        writer.line("k", self.encryptionKey)
        for attribute in self.attributes { writer.line("a", attribute.lineValue) }
        for media in self.media {
            writer.line("m", media.lineValue)
            writer.line("i", media.information)
            writer.line("c", media.connection?.lineValue)
            for bandwidth in media.bandwidths { writer.line("b", bandwidth.lineValue) }
            writer.line("k", media.encryptionKey)
            for attribute in media.attributes { writer.line("a", attribute.lineValue) }
        }
        return writer.bytes
    }

    /// The serialized body as a string (see ``serialized()``).
    public var text: String {
        String(decoding: self.serialized(), as: UTF8.self)
    }
}

/// Accumulates `<type>=<value>CRLF` lines.
private struct SDPWriter {
    var bytes: [UInt8] = []

    mutating func line(_ type: Unicode.Scalar, _ value: String?) {
        guard let value else { return }
        self.bytes.append(UInt8(ascii: type))
        self.bytes.append(UInt8(ascii: "="))
        self.bytes.append(contentsOf: value.utf8)
        self.bytes.append(SDPSyntax.carriageReturn)
        self.bytes.append(SDPSyntax.lineFeed)
    }
}

// MARK: - Parser

/// A single-pass, strict SDP parser over a byte buffer.
///
/// Lines are validated as they are split (control characters, `<type>=`
/// shape, line limit), then dispatched by type while a small state machine
/// enforces presence, uniqueness and ordering of the line types.
struct SDPParser {
    /// Where in the description the parser is.
    private enum Level {
        /// Session-level lines, after the mandatory `v=`, `o=`, `s=` prefix.
        case session
        /// Inside the media section at the end of `session.media`.
        case media
    }

    private let body: [UInt8]

    /// The 1-based number of the line being parsed.
    private var lineNumber = 0
    /// The byte offset of the start of the line being parsed.
    private var lineStart = 0
    /// The type letter of the previous non-empty line (0 before the first).
    private var previousType: UInt8 = 0
    /// Whether the mandatory `s=` line has been parsed.
    private var sessionNameSeen = false

    private var level = Level.session
    /// Line types seen at the current level (for once-only lines).
    private var seenAtLevel: Set<UInt8> = []
    /// Whether a direction attribute was seen at the current level.
    private var directionSeen = false
    /// `a=rtpmap` payload types seen in the current media section.
    private var rtpMapPayloadTypes: Set<UInt8> = []
    /// `a=crypto` tags seen at the current level.
    private var cryptoTags: Set<UInt32> = []

    // The session under construction.
    private var origin: SDPOrigin?
    private var session = SDPSession(origin: SDPOrigin(sessionID: "0", sessionVersion: "0", address: "0.0.0.0"))
    /// The line of the current media's `m=`, for "missing c=" errors.
    private var mediaLine = (number: 0, offset: 0)

    init(body: [UInt8]) {
        self.body = body
        self.session.sessionName = ""
        self.session.times = []
    }

    /// Parses the whole body.
    mutating func parse() throws(SDPParseError) -> SDPSession {
        var index = 0
        /// The first empty line seen; only trailing empty lines are allowed.
        var emptyLine: (number: Int, offset: Int)?

        while index < self.body.count {
            self.lineNumber += 1
            self.lineStart = index
            guard self.lineNumber <= SDPSession.maximumLineCount else {
                throw self.error(.tooManyLines)
            }

            // Find the end of the line, rejecting control characters. A CR is
            // accepted only immediately before the LF.
            var end = index
            var next = self.body.count
            while end < self.body.count {
                let byte = self.body[end]
                if byte == SDPSyntax.lineFeed {
                    next = end + 1
                    break
                }
                if byte == SDPSyntax.carriageReturn, end + 1 < self.body.count, self.body[end + 1] == SDPSyntax.lineFeed {
                    next = end + 2
                    break
                }
                if SDPSyntax.isControl(byte) {
                    throw self.error(.invalidCharacter, at: end)
                }
                end += 1
            }
            let line = self.body[index..<end]
            index = next

            if line.isEmpty {
                if emptyLine == nil {
                    emptyLine = (self.lineNumber, self.lineStart)
                }
                continue
            }
            if let emptyLine {
                throw SDPParseError(.malformedLine, line: emptyLine.number, offset: emptyLine.offset)
            }
            try self.parseLine(line)
        }

        return try self.finish()
    }

    // MARK: Lines

    /// Validates the `<type>=` prefix and dispatches one non-empty line.
    private mutating func parseLine(_ line: ArraySlice<UInt8>) throws(SDPParseError) {
        let type = line[line.startIndex]
        guard line.count >= 2, line[line.startIndex + 1] == UInt8(ascii: "="),
            type >= UInt8(ascii: "a"), type <= UInt8(ascii: "z")
        else {
            throw self.error(self.lineNumber == 1 ? .missingVersion : .malformedLine)
        }
        let value = line[(line.startIndex + 2)...]

        // The mandatory prefix: v=, o=, s= as the first three lines.
        switch self.lineNumber {
        case 1:
            guard type == UInt8(ascii: "v") else { throw self.error(.missingVersion) }
            guard value.elementsEqual("0".utf8) else { throw self.error(.unsupportedVersion, at: value.startIndex) }
            self.session.version = 0
            self.previousType = type
            return
        case 2:
            guard type == UInt8(ascii: "o") else { throw self.error(.missingField("o")) }
            guard let origin = SDPOrigin.parse(value) else { throw self.error(.malformedOrigin, at: value.startIndex) }
            self.origin = origin
            self.previousType = type
            return
        case 3:
            guard type == UInt8(ascii: "s") else { throw self.error(.missingField("s")) }
            self.session.sessionName = SDPSyntax.string(value)
            self.sessionNameSeen = true
            self.previousType = type
            return
        default:
            break
        }

        switch self.level {
        case .session:
            try self.parseSessionLine(type: type, value: value)
        case .media:
            try self.parseMediaLine(type: type, value: value)
        }
        self.previousType = type
    }

    /// Handles a session-level line after the `v=`/`o=`/`s=` prefix.
    private mutating func parseSessionLine(type: UInt8, value: ArraySlice<UInt8>) throws(SDPParseError) {
        switch type {
        case UInt8(ascii: "i"):
            try self.markOnce(type)
            self.session.information = SDPSyntax.string(value)
        case UInt8(ascii: "u"):
            try self.markOnce(type)
            self.session.uri = SDPSyntax.string(value)
        case UInt8(ascii: "e"):
            self.session.emails.append(SDPSyntax.string(value))
        case UInt8(ascii: "p"):
            self.session.phones.append(SDPSyntax.string(value))
        case UInt8(ascii: "c"):
            try self.markOnce(type)
            self.session.connection = try self.connection(value)
        case UInt8(ascii: "b"):
            self.session.bandwidths.append(try self.bandwidth(value))
        case UInt8(ascii: "t"):
            guard let time = SDPTime.parse(value) else { throw self.error(.malformedTime, at: value.startIndex) }
            self.session.times.append(time)
        case UInt8(ascii: "r"):
            // A repeat line belongs to the t= line directly above it.
            guard self.previousType == UInt8(ascii: "t") || self.previousType == UInt8(ascii: "r"),
                !self.session.times.isEmpty
            else { throw self.error(.lineOutOfOrder) }
            guard SDPTime.isValidRepeat(value) else { throw self.error(.malformedTime, at: value.startIndex) }
            self.session.times[self.session.times.count - 1].repeats.append(SDPSyntax.string(value))
        case UInt8(ascii: "z"):
            try self.markOnce(type)
            guard SDPTime.isValidZoneAdjustments(value) else { throw self.error(.malformedTime, at: value.startIndex) }
            self.session.timeZones = SDPSyntax.string(value)
        case UInt8(ascii: "k"):
            try self.markOnce(type)
            self.session.encryptionKey = SDPSyntax.string(value)
        case UInt8(ascii: "a"):
            self.session.attributes.append(try self.attribute(value))
        case UInt8(ascii: "m"):
            guard !self.session.times.isEmpty else { throw self.error(.missingField("t")) }
            try self.startMedia(value)
        case UInt8(ascii: "v"), UInt8(ascii: "o"), UInt8(ascii: "s"):
            throw self.error(.duplicateLine)
        default:
            throw self.error(.unknownLineType)
        }
    }

    /// Handles a line inside a media section.
    private mutating func parseMediaLine(type: UInt8, value: ArraySlice<UInt8>) throws(SDPParseError) {
        let index = self.session.media.count - 1
        switch type {
        case UInt8(ascii: "i"):
            try self.markOnce(type)
            self.session.media[index].information = SDPSyntax.string(value)
        case UInt8(ascii: "c"):
            try self.markOnce(type)
            self.session.media[index].connection = try self.connection(value)
        case UInt8(ascii: "b"):
            self.session.media[index].bandwidths.append(try self.bandwidth(value))
        case UInt8(ascii: "k"):
            try self.markOnce(type)
            self.session.media[index].encryptionKey = SDPSyntax.string(value)
        case UInt8(ascii: "a"):
            self.session.media[index].attributes.append(try self.attribute(value))
        case UInt8(ascii: "m"):
            try self.finishMedia()
            try self.startMedia(value)
        case UInt8(ascii: "v"), UInt8(ascii: "o"), UInt8(ascii: "s"), UInt8(ascii: "u"), UInt8(ascii: "e"),
            UInt8(ascii: "p"), UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "z"):
            throw self.error(.lineOutOfOrder)
        default:
            throw self.error(.unknownLineType)
        }
    }

    /// Opens a new media section from an `m=` value.
    private mutating func startMedia(_ value: ArraySlice<UInt8>) throws(SDPParseError) {
        guard self.session.media.count < SDPSession.maximumMediaCount else {
            throw self.error(.tooManyMediaSections)
        }
        guard let media = SDPMedia.parse(value) else { throw self.error(.malformedMedia, at: value.startIndex) }
        self.session.media.append(media)
        self.level = .media
        self.seenAtLevel = []
        self.directionSeen = false
        self.rtpMapPayloadTypes = []
        self.cryptoTags = []
        self.mediaLine = (self.lineNumber, self.lineStart)
    }

    /// Checks the media section being closed: it needs connection data at
    /// the media or session level (RFC 4566 §5.7).
    private func finishMedia() throws(SDPParseError) {
        guard let media = self.session.media.last else { return }
        if media.connection == nil && self.session.connection == nil {
            throw SDPParseError(.missingField("c"), line: self.mediaLine.number, offset: self.mediaLine.offset)
        }
    }

    /// Checks the mandatory lines once the body is exhausted.
    private mutating func finish() throws(SDPParseError) -> SDPSession {
        // Errors about missing lines point just past the last line.
        let endLine = self.lineNumber + 1
        let endOffset = self.body.count
        guard self.previousType != 0 else { throw SDPParseError(.missingVersion, line: 1, offset: 0) }
        guard let origin = self.origin else { throw SDPParseError(.missingField("o"), line: endLine, offset: endOffset) }
        guard self.sessionNameSeen else {
            throw SDPParseError(.missingField("s"), line: endLine, offset: endOffset)
        }
        guard !self.session.times.isEmpty else {
            throw SDPParseError(.missingField("t"), line: endLine, offset: endOffset)
        }
        try self.finishMedia()
        self.session.origin = origin
        return self.session
    }

    // MARK: Fields

    /// Records a once-per-level line type, rejecting a repeat.
    private mutating func markOnce(_ type: UInt8) throws(SDPParseError) {
        guard self.seenAtLevel.insert(type).inserted else { throw self.error(.duplicateLine) }
    }

    private func connection(_ value: ArraySlice<UInt8>) throws(SDPParseError) -> SDPConnection {
        guard let connection = SDPConnection.parse(value) else {
            throw self.error(.malformedConnection, at: value.startIndex)
        }
        return connection
    }

    private func bandwidth(_ value: ArraySlice<UInt8>) throws(SDPParseError) -> SDPBandwidth {
        guard let bandwidth = SDPBandwidth.parse(value) else {
            throw self.error(.malformedBandwidth, at: value.startIndex)
        }
        return bandwidth
    }

    /// Parses `<name>[:<value>]` and validates the attributes this gateway
    /// interprets (`rtpmap`, `fmtp`, `crypto`, `rtcp`, directions).
    private mutating func attribute(_ line: ArraySlice<UInt8>) throws(SDPParseError) -> SDPAttribute {
        let colon = line.firstIndex(of: SDPSyntax.colon)
        let nameBytes = line[line.startIndex..<(colon ?? line.endIndex)]
        // An invalid name is reported as "" so attacker bytes don't end up in the error.
        guard SDPSyntax.isToken(nameBytes) else { throw self.error(.malformedAttribute(""), at: line.startIndex) }
        let name = SDPSyntax.string(nameBytes)
        guard let colon else {
            if SDPDirection.isDirection(name) {
                guard !self.directionSeen else { throw self.error(.malformedAttribute(name), at: line.startIndex) }
                self.directionSeen = true
            }
            return SDPAttribute(name: name)
        }

        let value = line[(colon + 1)...]
        switch name {
        case "rtpmap":
            guard let map = SDPRTPMap.parse(value), self.rtpMapPayloadTypes.insert(map.payloadType).inserted else {
                throw self.error(.malformedRTPMap, at: value.startIndex)
            }
        case "crypto":
            guard let crypto = SDPCrypto.parse(value), self.cryptoTags.insert(crypto.tag).inserted else {
                throw self.error(.malformedCrypto, at: value.startIndex)
            }
        case "rtcp":
            guard SDPRTCP.parse(value) != nil else { throw self.error(.malformedAttribute(name), at: value.startIndex) }
        case "fmtp":
            let formatEnd = value.firstIndex(of: SDPSyntax.space) ?? value.endIndex
            guard SDPSyntax.isToken(value[value.startIndex..<formatEnd]) else {
                throw self.error(.malformedAttribute(name), at: value.startIndex)
            }
        default:
            // Direction attributes are property attributes and take no value.
            if SDPDirection.isDirection(name) {
                throw self.error(.malformedAttribute(name), at: value.startIndex)
            }
        }
        return SDPAttribute(name: name, value: SDPSyntax.string(value))
    }

    private func error(_ reason: SDPParseError.Reason, at offset: Int? = nil) -> SDPParseError {
        SDPParseError(reason, line: self.lineNumber, offset: offset ?? self.lineStart)
    }
}

// MARK: - Lexical helpers

/// Byte-level character classes and scanners shared by the SDP parsers.
enum SDPSyntax {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let slash = UInt8(ascii: "/")
    static let dot = UInt8(ascii: ".")
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")

    /// Builds a string from (possibly invalid) UTF-8 bytes.
    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// A control byte that may not appear inside a line: below 0x20 except
    /// TAB, or DEL.
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != tab) || byte == 0x7F
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// ASCII lower-casing of one byte.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// RFC 4566 `token-char`: visible ASCII except `"(),/:;<=>?@[\]`.
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x27, 0x2A...0x2B, 0x2D...0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E:
            return true
        default:
            return false
        }
    }

    /// A non-empty RFC 4566 token.
    static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenChar)
    }

    /// A non-empty run of decimal digits.
    static func isDigits(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isDigit)
    }

    /// Non-empty text without whitespace (controls are rejected by the line scanner).
    static func isVisible(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && !bytes.contains(where: isWhitespace)
    }

    /// Parses a non-empty run of decimal digits into `T`, returning `nil` on
    /// any other byte or on overflow.
    static func decimal<T: FixedWidthInteger & UnsignedInteger>(_ bytes: ArraySlice<UInt8>, as type: T.Type) -> T? {
        guard !bytes.isEmpty else { return nil }
        var result: T = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(T(byte &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            result = sum
        }
        return result
    }

    /// RFC 4566 `typed-time`: digits with an optional `d`/`h`/`m`/`s` unit,
    /// optionally preceded by `-` when `signed`.
    static func isTypedTime(_ bytes: ArraySlice<UInt8>, signed: Bool) -> Bool {
        var digits = bytes
        if signed, digits.first == UInt8(ascii: "-") {
            digits = digits.dropFirst()
        }
        if let last = digits.last, "dhms".utf8.contains(last) {
            digits = digits.dropLast()
        }
        return decimal(digits, as: UInt64.self) != nil
    }

    /// A dotted-quad IPv4 address: four decimal octets 0–255 without leading zeros.
    static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let octets = bytes.split(separator: dot, omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        return octets.allSatisfy { octet in
            guard octet.count <= 3, let value = decimal(octet, as: UInt16.self), value <= 255 else { return false }
            return octet.count == 1 || octet.first != UInt8(ascii: "0")
        }
    }

    /// A fully qualified domain name: dot-separated labels of letters, digits
    /// and inner `-` (RFC 1123), not all numeric.
    static func isDomainName(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        guard bytes.contains(where: { !isDigit($0) && $0 != dot }) else { return false }
        let labels = bytes.split(separator: dot, omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            return isAlphanumeric(first) && isAlphanumeric(last)
                && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// An IPv4 `connection-address`: a dotted quad with an optional
    /// `/<ttl>[/<count>]` suffix, or an FQDN.
    static func isIPv4ConnectionAddress(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: slash, omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return isIPv4(parts[0]) || isDomainName(parts[0])
        case 2, 3:
            guard isIPv4(parts[0]),
                let ttl = decimal(parts[1], as: UInt16.self), ttl <= 255
            else { return false }
            if parts.count == 3 {
                guard let count = decimal(parts[2], as: UInt32.self), count > 0 else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// An IPv6 `connection-address`: an IPv6 address (hex groups, `::`,
    /// optional trailing dotted quad) with an optional `/<count>` suffix.
    static func isIPv6ConnectionAddress(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: slash, omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return isIPv6(parts[0])
        case 2:
            guard let count = decimal(parts[1], as: UInt32.self), count > 0 else { return false }
            return isIPv6(parts[0])
        default:
            return false
        }
    }

    /// An IPv6 address in RFC 4291 text form.
    static func isIPv6(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2, bytes.count <= 45, bytes.contains(colon) else { return false }
        guard bytes.allSatisfy({ isHexDigit($0) || $0 == colon || $0 == dot }) else { return false }

        // A trailing dotted quad counts as two 16-bit groups.
        var hexPart = bytes
        var embeddedGroups = 0
        if bytes.contains(dot) {
            guard let lastColon = bytes.lastIndex(of: colon), isIPv4(bytes[(lastColon + 1)...]) else { return false }
            hexPart = bytes[bytes.startIndex...lastColon]
            embeddedGroups = 2
            // Keep a "::" intact, otherwise drop the separator before the quad.
            if !hexPart.suffix(2).elementsEqual([colon, colon]) {
                hexPart = hexPart.dropLast()
            }
        }

        // Find the (single) "::".
        var doubleColon: Int?
        var index = hexPart.startIndex
        while index < hexPart.endIndex - 1 {
            if hexPart[index] == colon && hexPart[index + 1] == colon {
                guard doubleColon == nil else { return false }
                doubleColon = index
                index += 2
                // ":::" is never valid.
                if index < hexPart.endIndex, hexPart[index] == colon { return false }
                continue
            }
            index += 1
        }

        func groups(_ part: ArraySlice<UInt8>) -> Int? {
            guard !part.isEmpty else { return 0 }
            let fields = part.split(separator: colon, omittingEmptySubsequences: false)
            guard fields.allSatisfy({ !$0.isEmpty && $0.count <= 4 }) else { return nil }
            return fields.count
        }

        if let doubleColon {
            guard let left = groups(hexPart[hexPart.startIndex..<doubleColon]),
                let right = groups(hexPart[(doubleColon + 2)...])
            else { return false }
            return left + right + embeddedGroups <= 7
        }
        guard let count = groups(hexPart) else { return false }
        return count + embeddedGroups == 8
    }
}
