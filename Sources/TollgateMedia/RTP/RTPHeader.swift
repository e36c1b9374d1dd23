/// The fixed header of an RTP packet (RFC 3550 §5.1) and where its payload starts, read without copying.
public struct RTPHeader: Sendable, Hashable {
    /// Whether the last payload byte counts padding bytes.
    public var hasPadding: Bool
    /// Whether a header extension follows the CSRC list.
    public var hasExtension: Bool
    /// The number of contributing sources listed.
    public var csrcCount: Int
    /// The marker bit.
    public var marker: Bool
    /// The payload type (0–127).
    public var payloadType: UInt8
    /// The sequence number.
    public var sequenceNumber: UInt16
    /// The timestamp.
    public var timestamp: UInt32
    /// The synchronisation source.
    public var ssrc: UInt32
    /// Bytes from the start of the packet to the payload: 12, the CSRC list and the extension.
    public var length: Int

    /// Reads the header of `packet`.
    ///
    /// - Throws: ``SRTPError/malformedPacket(_:)`` when it is shorter than its header, not version 2, or
    ///   its CSRC list or extension runs past the end.
    public init(parsing packet: UnsafeRawBufferPointer) throws(SRTPError) {
        guard packet.count >= 12 else { throw .malformedPacket("\(packet.count) bytes, shorter than an RTP header") }
        let first = packet[0]
        guard first >> 6 == 2 else { throw .malformedPacket("RTP version \(first >> 6)") }
        hasPadding = first & 0x20 != 0
        hasExtension = first & 0x10 != 0
        csrcCount = Int(first & 0x0F)
        marker = packet[1] & 0x80 != 0
        payloadType = packet[1] & 0x7F
        sequenceNumber = packet.loadBigEndian(UInt16.self, at: 2)
        timestamp = packet.loadBigEndian(UInt32.self, at: 4)
        ssrc = packet.loadBigEndian(UInt32.self, at: 8)
        var length = 12 + 4 * csrcCount
        guard packet.count >= length else { throw .malformedPacket("\(csrcCount) CSRCs run past the end") }
        if hasExtension {
            guard packet.count >= length + 4 else { throw .malformedPacket("header extension runs past the end") }
            length += 4 + 4 * Int(packet.loadBigEndian(UInt16.self, at: length + 2))
            guard packet.count >= length else { throw .malformedPacket("header extension runs past the end") }
        }
        self.length = length
    }

    /// Checks a plain (decrypted) packet the header was read from as RFC 3550 §A.1's validity check
    /// does: with the padding bit set, the last byte counts at least one and at most the bytes after
    /// the header. (An SRTP packet's last bytes are its tag: check after unprotecting it.)
    ///
    /// - Throws: ``SRTPError/malformedPacket(_:)`` when the padding does not fit.
    public func checkPadding(of packet: UnsafeRawBufferPointer) throws(SRTPError) {
        guard hasPadding else { return }
        guard packet.count > length else { throw .malformedPacket("padding bit set on a packet with no payload") }
        let padding = Int(packet[packet.count - 1])
        guard padding >= 1, padding <= packet.count - length else {
            throw .malformedPacket("\(padding) bytes of padding in a payload of \(packet.count - length)")
        }
    }

    /// Whether a plain RTCP packet passes RFC 3550 §A.2's first checks: at least a header (8 bytes),
    /// version 2, and a first packet type of 192–223 (RFC 5761's range, SR and RR among them).
    public static func isValidRTCP(_ packet: UnsafeRawBufferPointer) -> Bool {
        packet.count >= 8 && packet[0] >> 6 == 2 && (192...223).contains(packet[1])
    }

    /// Whether a packet on a multiplexed port (RFC 5761 §4) is RTCP rather than RTP: its second
    /// byte, an RTCP packet type, is 192–223.
    public static func isRTCP(_ packet: UnsafeRawBufferPointer) -> Bool {
        packet.count >= 2 && (192...223).contains(packet[1])
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian integer at `offset` (which the caller has checked is in bounds).
    @inlinable
    func loadBigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Writes `value` big-endian at `offset` (which the caller has checked is in bounds).
    @inlinable
    func storeBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }
}
