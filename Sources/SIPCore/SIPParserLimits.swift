/// Limits that bound the work and memory a parser spends on one message.
///
/// The defaults suit a gateway facing the internet: large enough for any legitimate message
/// (RFC 4475's long-values torture test is 3.5 KB) and small enough that hostile input costs little.
public struct SIPParserLimits: Sendable, Hashable {
    /// Largest message accepted, start line to end of body. Default 64 KiB.
    public var maximumMessageSize: Int
    /// Most header fields accepted in one message. Default 256.
    public var maximumHeaderCount: Int

    public init(maximumMessageSize: Int = 65_536, maximumHeaderCount: Int = 256) {
        self.maximumMessageSize = maximumMessageSize
        self.maximumHeaderCount = maximumHeaderCount
    }

    /// The defaults.
    public static let `default` = SIPParserLimits()
}
