import Foundation

/// libsrtp itself, through `Scripts/libsrtp_oracle.py` (pylibsrtp): a child process that protects and
/// unprotects what it is given, for differential tests.
final class LibsrtpOracle {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/libsrtp_oracle.py")

    /// Whether python3 can import pylibsrtp here.
    static let isInstalled: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import pylibsrtp"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// Under CI the oracle is required: a missing pylibsrtp fails the run instead of skipping it.
    static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"

    enum Failure: Error, CustomStringConvertible {
        case exited
        case refused(String)
        var description: String {
            switch self {
            case .exited: "the libsrtp oracle exited (is pylibsrtp installed? scripts/test installs it)"
            case .refused(let text): "libsrtp: \(text)"
            }
        }
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var pending = Data()

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func ask(_ line: String) throws -> String {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let answer = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[(newline + 1)...])
                return answer
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw Failure.exited }
            pending.append(chunk)
        }
    }

    /// Opens a libsrtp session named `name`: inbound unprotects, outbound protects.
    func session(_ name: String, profile: String, keyAndSalt: [UInt8], inbound: Bool) throws {
        let answer = try ask("session \(name) \(profile) \(Hex.text(keyAndSalt)) \(inbound ? "in" : "out")")
        guard answer == "ok" else { throw Failure.refused(answer) }
    }

    /// Runs `operation` (`rtp-protect`, `rtp-unprotect`, `rtcp-protect`, `rtcp-unprotect`) on `packet`.
    func run(_ operation: String, _ name: String, _ packet: [UInt8]) throws -> [UInt8] {
        let answer = try ask("\(operation) \(name) \(Hex.text(packet))")
        guard answer.hasPrefix("ok ") else { throw Failure.refused(answer) }
        return Hex.bytes(String(answer.dropFirst(3)))
    }
}
