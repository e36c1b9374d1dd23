import NIOConcurrencyHelpers
import NIOCore
import Foundation
import NIOEmbedded
@testable import SIPTransport
import Testing

@Suite("Order of the datagrams of one read")
struct DatagramOrderTests {
    @Test("answers rank first, ACK and BYE next, every other request last", arguments: [
        ("SIP/2.0 200 OK\r\n", 0), ("SIP/2.0 100 Trying\r\n", 0), ("ACK sip:a@b SIP/2.0\r\n", 1), ("BYE sip:a@b SIP/2.0\r\n", 1),
        ("INVITE sip:a@b SIP/2.0\r\n", 2), ("CANCEL sip:a@b SIP/2.0\r\n", 2), ("REGISTER sip:b SIP/2.0\r\n", 2),
        ("OPTIONS sip:b SIP/2.0\r\n", 2), ("BYEBYE sip:b SIP/2.0\r\n", 2), ("ack sip:a@b SIP/2.0\r\n", 2), ("SIP", 2), ("", 2), ("\r\n\r\n", 2),
    ])
    func ranks(start: String, rank: Int) {
        #expect(SIPDatagramOrder.rank(Array(start.utf8)) == rank)
    }

    /// Feeds `datagrams` to a handler as one read and returns the first line of each message handed up, in order.
    func handedUp(_ datagrams: [String], readsCompleted: Bool = true) throws -> [String] {
        let delivered = NIOLockedValueBox<[String]>([])
        let channel = EmbeddedChannel(handler: SIPDatagramHandler(listener: 0) { packet in
            let text = String(decoding: packet.bytes, as: UTF8.self)
            let line = text.components(separatedBy: "\r\n").first ?? text
            delivered.withLockedValue { $0.append(line) }
        })
        let source = try SocketAddress(ipAddress: "127.0.0.10", port: 5090)
        for datagram in datagrams {
            // As a read of several datagrams: each goes up the pipeline, the read completes after the last.
            channel.pipeline.fireChannelRead(AddressedEnvelope(remoteAddress: source, data: ByteBuffer(string: datagram)))
        }
        #expect(delivered.withLockedValue { $0 }.isEmpty, "nothing is handed up before the read completes")
        if readsCompleted { channel.pipeline.fireChannelReadComplete() } else { _ = try channel.finish() }
        return delivered.withLockedValue { $0 }
    }

    @Test("a read's answers go up first, then its ACKs and BYEs, then its new requests, each in arrival order")
    func answersFirst() throws {
        let read = ["INVITE sip:1@b SIP/2.0\r\n", "SIP/2.0 200 OK\r\nCSeq: 1\r\n", "ACK sip:2@b SIP/2.0\r\n", "INVITE sip:3@b SIP/2.0\r\n",
                    "CANCEL sip:1@b SIP/2.0\r\n", "SIP/2.0 180 Ringing\r\n", "BYE sip:4@b SIP/2.0\r\n"]
        #expect(try handedUp(read) == ["SIP/2.0 200 OK", "SIP/2.0 180 Ringing", "ACK sip:2@b SIP/2.0", "BYE sip:4@b SIP/2.0",
                                       "INVITE sip:1@b SIP/2.0", "INVITE sip:3@b SIP/2.0", "CANCEL sip:1@b SIP/2.0"])
    }

    @Test("a CANCEL never overtakes the INVITE it cancels, and two requests of one class keep their order")
    func requestsKeepTheirOrder() throws {
        let read = ["INVITE sip:1@b SIP/2.0\r\n", "CANCEL sip:1@b SIP/2.0\r\n", "REGISTER sip:b SIP/2.0\r\n", "OPTIONS sip:b SIP/2.0\r\n"]
        #expect(try handedUp(read) == read.map { $0.replacingOccurrences(of: "\r\n", with: "") })
    }

    @Test("datagrams still waiting when the channel goes are handed up, not lost")
    func nothingLostAtTheEnd() throws {
        #expect(try handedUp(["SIP/2.0 200 OK\r\n", "BYE sip:4@b SIP/2.0\r\n"], readsCompleted: false) == ["SIP/2.0 200 OK", "BYE sip:4@b SIP/2.0"])
    }
}
