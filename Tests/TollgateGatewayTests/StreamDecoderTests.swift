import NIOCore
import NIOEmbedded
import SIPCore
import Testing

@testable import SIPTransport

@Suite("Stream framing on a connection")
struct StreamDecoderTests {
    static let trying = "SIP/2.0 100 Trying\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKa\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
    static let ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKa\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 4\r\n\r\nv=0\n"

    @Test("two messages arriving in one read are both delivered at once, not when the next bytes come")
    func twoMessagesInOneRead() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SIPStreamDecoder(maximumMessageSize: 65_536)))
        var buffer = channel.allocator.buffer(capacity: 1024)
        buffer.writeString(Self.trying + Self.ok + "SIP/2.0 180 Ring")
        try channel.writeInbound(buffer)
        var frames: [SIPStreamFramer.Frame] = []
        while let frame = try channel.readInbound(as: SIPStreamFramer.Frame.self) { frames.append(frame) }
        #expect(frames.count == 2)
        guard frames.count == 2, case .message(let first) = frames[0], case .message(let second) = frames[1] else { return }
        #expect(String(decoding: first, as: UTF8.self) == Self.trying)
        #expect(String(decoding: second, as: UTF8.self) == Self.ok)
        _ = try? channel.finish()
    }
}
