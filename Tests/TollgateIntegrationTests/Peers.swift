import Foundation
import Testing

/// Real peers for integration tests, on loopback addresses only: the `tollgate` binary and sipp.
enum Peers {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")

    static let tollgate: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("tollgate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/tollgate")
    }()

    /// Finds an executable on PATH, then in /usr/sbin and /sbin (where Debian puts daemons such as Kamailio,
    /// not on every user's PATH). In CI a missing peer is a failure, never a silent skip.
    static func executable(_ name: String) throws -> URL {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in path {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw PeerError.missing(name)
    }

    enum PeerError: Error, CustomStringConvertible {
        case missing(String)
        case didNotStart(String)
        var description: String {
            switch self {
            case .missing(let name): "\(name) is not installed (scripts/test installs it)"
            case .didNotStart(let detail): "peer did not start: \(detail)"
            }
        }
    }
}

/// A child process whose output is collected to a file, stopped on `stop()` or deinit.
final class PeerProcess: @unchecked Sendable {
    let process = Process()
    let output: URL
    let name: String

    init(name: String, executable: URL, arguments: [String], directory: URL? = nil) throws {
        self.name = name
        output = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-\(name)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        if let directory { process.currentDirectoryURL = directory }
        // A spawned child inherits the calling thread's signal mask, and test code runs on threads that block
        // most signals: a peer would start deaf to SIGTERM (and to SIGCHLD, which Kamailio's main process needs).
        var unblocked = sigset_t()
        var inherited = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, &inherited)
        defer { pthread_sigmask(SIG_SETMASK, &inherited, nil) }
        try process.run()
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Waits for exit up to `timeout` seconds; kills the process if it is still running then.
    @discardableResult
    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            stop()
            return nil
        }
        return process.terminationStatus
    }

    /// Waits until the log contains `text`.
    func waitForLog(_ text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            if !process.isRunning { return false }
            usleep(20_000)
        }
        return false
    }

    /// SIGTERM, then SIGKILL if it does not go. Foundation starts each peer in a process group of its own,
    /// so the SIGKILL goes to the group: children a peer forked (Kamailio's workers) go with it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(-process.processIdentifier, SIGKILL)
            kill(process.processIdentifier, SIGKILL)
        }
    }

    deinit { stop() }
}

extension PeerProcess {
    /// Starts `tollgate serve` in an empty working directory with the given arguments.
    static func tollgate(_ arguments: [String], name: String = "tollgate") throws -> PeerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let peer = try PeerProcess(name: name, executable: Peers.tollgate, arguments: ["serve", "--log-level", "debug"] + arguments, directory: directory)
        guard peer.waitForLog("gateway started", timeout: 15) else {
            peer.stop()
            throw Peers.PeerError.didNotStart(peer.log)
        }
        return peer
    }

    /// Starts `tollgate serve --config FILE` in `directory` (where its store and status file go).
    static func tollgate(config: URL, directory: URL, name: String, logLevel: String = "info") throws -> PeerProcess {
        let gateway = try PeerProcess(name: name, executable: Peers.tollgate,
                                      arguments: ["serve", "--log-level", logLevel, "--config", config.path], directory: directory)
        guard gateway.waitForLog("gateway started", timeout: 15) else {
            gateway.stop()
            throw Peers.PeerError.didNotStart(gateway.log)
        }
        return gateway
    }

    /// Starts sipp with a scenario from Scenarios/.
    static func sipp(_ scenario: String, local ip: String, port: Int, remote: String? = nil, calls: Int, rate: Int = 10,
                     transport: String = "u1", extra: [String] = []) throws -> PeerProcess {
        var arguments = ["-sf", Peers.scenarios.appendingPathComponent(scenario).path, "-i", ip, "-p", String(port), "-m", String(calls),
                         "-r", String(rate), "-t", transport, "-nostdin", "-timeout", "60", "-timeout_error", "-trace_err",
                         "-error_file", FileManager.default.temporaryDirectory.appendingPathComponent("sipp-\(UUID().uuidString).err").path]
        arguments += extra
        if let remote { arguments.append(remote) }
        return try PeerProcess(name: "sipp-\(scenario)", executable: Peers.executable("sipp"), arguments: arguments)
    }
}
