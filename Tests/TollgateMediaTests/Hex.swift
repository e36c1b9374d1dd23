/// Hex text ⇄ bytes for test vectors.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace }.utf8)
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    static func text(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}


/// An RTP packet with the given fields and payload.
func rtpPacket(sequence: UInt16, ssrc: UInt32 = 0xCAFE_BABE, timestamp: UInt32 = 0xDECA_FBAD, payloadType: UInt8 = 0,
               payload: [UInt8] = [UInt8](repeating: 0xAB, count: 160), csrcs: [UInt32] = [], extensionWords: [UInt32]? = nil) -> [UInt8] {
    var bytes: [UInt8] = [0x80 | (extensionWords == nil ? 0 : 0x10) | UInt8(csrcs.count), payloadType]
    bytes += [UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
    for word in [timestamp, ssrc] + csrcs { bytes += [UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)] }
    if let extensionWords {
        bytes += [0xBE, 0xDE, 0, UInt8(extensionWords.count)]
        for word in extensionWords { bytes += [UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)] }
    }
    return bytes + payload
}

/// An RTCP receiver report from `ssrc` with one report block.
func rtcpPacket(ssrc: UInt32 = 0xCAFE_BABE) -> [UInt8] {
    var bytes: [UInt8] = [0x81, 201, 0, 7]
    bytes += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
    bytes += [UInt8](repeating: 0x5A, count: 24)
    return bytes
}
