/// An error thrown when an SDP (RFC 4566) body cannot be parsed.
///
/// The parser is deliberately strict because it protects a gateway: every
/// malformed field is reported with the 1-based ``line`` it occurred on and the
/// byte ``offset`` within the SDP body where the problem was detected (the
/// start of the offending field or value, or the offending byte itself).
public struct SDPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why an SDP body was rejected.
    public enum Reason: Hashable, Sendable {
        /// The body is empty or its first line is not a `v=` line.
        case missingVersion
        /// The `v=` line carries something other than `0`.
        case unsupportedVersion
        /// A line is not of the form `<lowercase letter>=<value>`, or an empty
        /// line appears before the end of the body.
        case malformedLine
        /// A line contains a control byte (below 0x20, other than TAB, or 0x7F)
        /// or a carriage return that is not part of a CRLF line ending.
        case invalidCharacter
        /// A line type letter that RFC 4566 does not define.
        case unknownLineType
        /// A line type that is not allowed at this position (for example `o=`
        /// after the first `m=`, or `r=` not following a `t=` line).
        case lineOutOfOrder
        /// A line type that may appear only once per level appears again.
        case duplicateLine
        /// A mandatory line of the given type is missing.
        case missingField(Character)
        /// The `o=` line does not have exactly six well-formed fields.
        case malformedOrigin
        /// A `c=` line (or the connection part of `a=rtcp`) is malformed.
        case malformedConnection
        /// A `b=` line is not `<bwtype>:<bandwidth>`.
        case malformedBandwidth
        /// A `t=`, `r=` or `z=` line is malformed.
        case malformedTime
        /// An `m=` line is malformed.
        case malformedMedia
        /// An `a=` line with the given attribute name is malformed. The name is
        /// empty when the attribute name itself is missing or invalid.
        case malformedAttribute(String)
        /// An `a=rtpmap` attribute is malformed or duplicates a payload type.
        case malformedRTPMap
        /// An `a=crypto` attribute (RFC 4568) is malformed or duplicates a tag.
        case malformedCrypto
        /// The body has more media sections than ``SDPSession/maximumMediaCount``.
        case tooManyMediaSections
        /// The body has more lines than ``SDPSession/maximumLineCount``.
        case tooManyLines
    }

    /// Why the body was rejected.
    public var reason: Reason

    /// The 1-based number of the line on which the error was detected.
    public var line: Int

    /// The byte offset within the SDP body at which the error was detected.
    public var offset: Int

    /// Creates an SDP parse error.
    ///
    /// - Parameters:
    ///   - reason: Why the body was rejected.
    ///   - line: The 1-based line number.
    ///   - offset: The byte offset within the SDP body.
    public init(_ reason: Reason, line: Int, offset: Int) {
        self.reason = reason
        self.line = line
        self.offset = offset
    }

    /// A human-readable description of the error, including its position.
    public var description: String {
        "SDP parse error at line \(self.line) (byte offset \(self.offset)): \(self.reason)"
    }
}

extension SDPParseError.Reason: CustomStringConvertible {
    /// A human-readable description of the reason.
    public var description: String {
        switch self {
        case .missingVersion:
            return "missing 'v=' line at the start of the body"
        case .unsupportedVersion:
            return "unsupported SDP version (only 'v=0' is accepted)"
        case .malformedLine:
            return "malformed line (expected '<type>=<value>')"
        case .invalidCharacter:
            return "invalid control character in line"
        case .unknownLineType:
            return "unknown line type"
        case .lineOutOfOrder:
            return "line type not allowed at this position"
        case .duplicateLine:
            return "line type may appear only once at this level"
        case .missingField(let type):
            return "missing mandatory '\(type)=' line"
        case .malformedOrigin:
            return "malformed origin ('o=') line"
        case .malformedConnection:
            return "malformed connection data"
        case .malformedBandwidth:
            return "malformed bandwidth ('b=') line"
        case .malformedTime:
            return "malformed timing ('t=', 'r=' or 'z=') line"
        case .malformedMedia:
            return "malformed media ('m=') line"
        case .malformedAttribute(let name):
            return name.isEmpty ? "malformed attribute name" : "malformed '\(name)' attribute"
        case .malformedRTPMap:
            return "malformed 'rtpmap' attribute"
        case .malformedCrypto:
            return "malformed 'crypto' attribute"
        case .tooManyMediaSections:
            return "too many media sections (limit \(SDPSession.maximumMediaCount))"
        case .tooManyLines:
            return "too many lines (limit \(SDPSession.maximumLineCount))"
        }
    }
}
