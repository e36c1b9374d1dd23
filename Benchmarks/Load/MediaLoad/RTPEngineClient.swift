import Foundation

/// A client of rtpengine's ng control protocol (UDP, `cookie bencoded-dictionary`), enough to set up
/// a call: `offer` with the caller's SDP, `answer` with the callee's, `delete`.
final class RTPEngineClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: Int32
    private var address = sockaddr_in()
    private var cookie = 0

    init(host: String, port: UInt16) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "no socket") }
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure(description: "not an IPv4 address: \(host)") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// Sends one command and returns rtpengine's reply, which must say `result: ok`.
    func request(_ command: String, _ arguments: [(String, Bencode)]) throws -> Bencode {
        cookie += 1
        let message = Array("\(cookie)_\(getpid()) ".utf8) + Bencode.dictionary([("command", .string(command))] + arguments).encoded
        let sent = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == message.count else { throw Failure(description: "\(command): send failed") }
        var reply = [UInt8](repeating: 0, count: 65_536)
        let count = reply.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: "\(command): no answer from rtpengine") }
        let text = reply[0..<count]
        guard let space = text.firstIndex(of: UInt8(ascii: " ")) else { throw Failure(description: "\(command): a reply with no cookie") }
        let value = try Bencode.decode(Array(text[(space + 1)...]))
        guard value["result"]?.text == "ok" else {
            throw Failure(description: "\(command): \(value["result"]?.text ?? "?") \(value["error-reason"]?.text ?? "")")
        }
        return value
    }

    /// rtpengine's process: CPU seconds used (user and system, every thread) and resident bytes, from /proc.
    static func processUsage() -> (cpu: Double, resident: Int)? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries where Int(entry) != nil {
            guard let name = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
                  name.trimmingCharacters(in: .whitespacesAndNewlines) == "rtpengine",
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  let statm = try? String(contentsOfFile: "/proc/\(entry)/statm", encoding: .utf8) else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let cpu = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
            let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return (cpu, pages * Int(sysconf(Int32(_SC_PAGESIZE))))
        }
        return nil
    }
}
