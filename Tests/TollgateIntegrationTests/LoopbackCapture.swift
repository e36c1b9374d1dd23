import Foundation

/// UDP on the loopback interface, captured with tcpdump while a test runs and read back from its
/// pcap file: what actually crossed the wire, whatever the peers say.
final class LoopbackCapture {
    /// One UDP datagram as captured.
    struct Datagram {
        /// Seconds since 1970, as captured.
        var time: Double
        var source: String
        var sourcePort: Int
        var destination: String
        var destinationPort: Int
        var payload: [UInt8]
    }

    enum CaptureError: Error, CustomStringConvertible {
        case didNotStart(String)
        case unreadable(String)
        var description: String {
            switch self {
            case .didNotStart(let log): "tcpdump did not start (it needs to capture on lo): \(log)"
            case .unreadable(let reason): "the capture cannot be read: \(reason)"
            }
        }
    }

    private let tcpdump: PeerProcess
    let file: URL

    /// Starts capturing UDP on `lo`, to or from any of `hosts` when given.
    init(hosts: [String] = []) throws {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("capture-\(UUID().uuidString).pcap")
        let filter = hosts.isEmpty ? "udp" : "udp and (" + hosts.map { "host \($0)" }.joined(separator: " or ") + ")"
        tcpdump = try PeerProcess(name: "tcpdump", executable: Peers.executable("tcpdump"),
                                  arguments: ["-i", "lo", "-n", "-U", "-s", "0", "-w", file.path, filter])
        guard tcpdump.waitForLog("listening on", timeout: 5) else {
            tcpdump.stop()
            throw CaptureError.didNotStart(tcpdump.log)
        }
    }

    /// Stops the capture and reads every UDP datagram in it, in order.
    func stop() throws -> [Datagram] {
        usleep(200_000)
        tcpdump.stop()
        let bytes = [UInt8]((try? Data(contentsOf: file)) ?? Data())
        return try Self.datagrams(inPcap: bytes)
    }

    /// The UDP datagrams of a classic pcap file (little-endian, Ethernet or Linux cooked framing, IPv4).
    static func datagrams(inPcap bytes: [UInt8]) throws -> [Datagram] {
        guard bytes.count >= 24 else { throw CaptureError.unreadable("\(bytes.count) bytes, no pcap header") }
        func le32(_ offset: Int) -> Int {
            Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
        }
        func be16(_ offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }
        guard le32(0) == 0xA1B2_C3D4 else { throw CaptureError.unreadable("not a little-endian pcap file") }
        let linkHeader: Int
        switch le32(20) {
        case 1: linkHeader = 14  // Ethernet
        case 113: linkHeader = 16  // Linux cooked
        case let other: throw CaptureError.unreadable("link type \(other)")
        }
        var datagrams: [Datagram] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let time = Double(le32(offset)) + Double(le32(offset + 4)) / 1_000_000
            let captured = le32(offset + 8)
            let start = offset + 16
            offset = start + captured
            guard offset <= bytes.count else { break }
            let ip = start + linkHeader
            guard ip + 20 <= offset, bytes[ip] >> 4 == 4, bytes[ip + 9] == 17 else { continue }
            let udp = ip + Int(bytes[ip] & 0x0F) * 4
            guard udp + 8 <= offset else { continue }
            let address = { (at: Int) in (0..<4).map { String(bytes[at + $0]) }.joined(separator: ".") }
            datagrams.append(Datagram(time: time, source: address(ip + 12), sourcePort: be16(udp), destination: address(ip + 16),
                                      destinationPort: be16(udp + 2), payload: Array(bytes[(udp + 8)..<offset])))
        }
        return datagrams
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
