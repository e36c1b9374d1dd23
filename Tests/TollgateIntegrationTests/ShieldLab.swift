import Foundation
import Testing

/// A gateway with Shield in front of the test PBX (`Scripts/test_pbx.py`, users 200–249 with
/// passwords pw200…, and 204 with correct-horse), its store in a folder of its own, and helpers
/// to run attack tools and read what the gateway recorded.
final class ShieldLab: @unchecked Sendable {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    let directory: URL
    let configFile: URL
    let port: Int
    let pbxPort: Int
    let pbxLog: URL
    private(set) var gateway: PeerProcess?
    private(set) var pbx: PeerProcess?

    /// - Parameters:
    ///   - port: The gateway's external UDP port.
    ///   - pbxPort: The test PBX's port on 127.0.0.20.
    ///   - shield: Extra YAML under `shield:` (indented by two spaces), if any.
    ///   - extra: Extra top-level YAML (a `console:` section), if any.
    init(port: Int, pbxPort: Int, shield: String = "", extra: String = "") throws {
        self.port = port
        self.pbxPort = pbxPort
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-shield-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configFile = directory.appendingPathComponent("tollgate.yaml")
        pbxLog = directory.appendingPathComponent("pbx.log")
        let yaml = """
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
            pbx: { endpoint: "udp:127.0.0.20:\(pbxPort)" }
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:\(pbxPort + 10)
                probe: { enabled: false }
            routes:
              - { prefix: "", trunks: [carrier] }
            remote_phones: true
            store: { path: "\(directory.appendingPathComponent("tollgate.db").path)" }
            \(extra)
            shield:
              enabled: true
            \(shield)
            """
        try yaml.write(to: configFile, atomically: true, encoding: .utf8)
    }

    /// Starts the test PBX.
    func startPBX() throws {
        let python = try Peers.executable("python3")
        let pbx = try PeerProcess(name: "test-pbx", executable: python, arguments: [
            Self.scripts.appendingPathComponent("test_pbx.py").path, "--listen", "127.0.0.20:\(pbxPort)",
            "--users-range", "200-249", "--password-prefix", "pw", "--users", "204:correct-horse", "--log", pbxLog.path,
        ])
        guard pbx.waitForLog("READY", timeout: 10) else { throw Peers.PeerError.didNotStart(pbx.log) }
        self.pbx = pbx
    }

    /// Starts (or restarts) `tollgate serve` with this lab's configuration.
    func startGateway() throws {
        gateway = try PeerProcess.tollgate(config: configFile, directory: directory, name: "tollgate-shield")
    }

    func stop() {
        gateway?.stop()
        pbx?.stop()
    }

    deinit { stop() }

    // MARK: - What the gateway recorded

    /// `tollgate ARGUMENTS --config FILE --json`, decoded.
    func json(_ arguments: [String]) throws -> [[String: Any]] {
        let command = try PeerProcess(name: "tollgate-cli", executable: Peers.tollgate,
                                      arguments: arguments + ["--config", configFile.path, "--json"], directory: directory)
        guard command.wait(timeout: 30) == 0 else { throw Peers.PeerError.didNotStart("tollgate \(arguments): \(command.log)") }
        let text = command.log
        guard let start = text.firstIndex(of: "[") else { return [] }
        let value = try JSONSerialization.jsonObject(with: Data(text[start...].utf8))
        return value as? [[String: Any]] ?? []
    }

    /// Active bans by source.
    func bans() throws -> [String: [String: Any]] {
        var bans: [String: [String: Any]] = [:]
        for ban in try json(["ban", "list"]) { if let source = ban["source"] as? String { bans[source] = ban } }
        return bans
    }

    /// Events about one source, newest first.
    func events(source: String) throws -> [[String: Any]] {
        try json(["events", "--source", source, "--limit", "10000"])
    }

    /// Waits up to `timeout` seconds for `source` to be banned (the store is written within 50 ms).
    func waitForBan(_ source: String, timeout: Double = 10) throws -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let ban = try bans()[source] { return ban }
            usleep(200_000)
        }
        return nil
    }

    /// How many distinct requests from `origin` reached the PBX.
    func requestsAtPBX(from origin: String) -> Int {
        let log = (try? String(contentsOf: pbxLog, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.hasPrefix("RECV ") && $0.hasSuffix("origin=\(origin)") }.count
    }

    // MARK: - Attack tools

    /// A SIPVicious tool (pip names them sipvicious_svmap…, Debian svmap…).
    static func sipvicious(_ tool: String) throws -> URL {
        if let url = try? Peers.executable("sipvicious_" + tool) { return url }
        return try Peers.executable(tool)
    }

    /// Runs a SIPVicious tool to the end (at most `timeout` seconds) from `address`. svmap runs as
    /// installed (its -b works); svwar and svcrack ignore -b in SIPVicious 0.3.3, so they run through
    /// `Scripts/sipvicious_run.py`, which binds them and, with `disguised`, swaps their User-Agent.
    func attack(_ tool: String, from address: String, arguments: [String], disguised: Bool = false, timeout: Double = 90) throws -> PeerProcess {
        let process: PeerProcess
        if tool == "svmap", !disguised {
            process = try PeerProcess(name: tool, executable: Self.sipvicious(tool), arguments: ["-b", address] + arguments)
        } else {
            _ = try Self.sipvicious(tool)
            process = try PeerProcess(name: "sipvicious-\(tool)", executable: Peers.executable("python3"),
                                      arguments: [Self.scripts.appendingPathComponent("sipvicious_run.py").path, "--bind", address]
                                          + (disguised ? ["--disguise"] : []) + [tool] + arguments)
        }
        process.wait(timeout: timeout)
        return process
    }

    /// The gateway's resident memory in kB, from /proc.
    func gatewayResidentKB() -> Int? {
        guard let pid = gateway?.process.processIdentifier,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// A password list for svcrack with 204's real password after 40 wrong ones: svcrack finds it
    /// unless it is stopped first.
    func passwordList() throws -> String {
        let file = directory.appendingPathComponent("passwords.txt")
        try ((1...40).map { "guess\($0)" } + ["correct-horse"]).joined(separator: "\n").appending("\n")
            .write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// A sipp injection file of users 200–209 with their passwords.
    func usersFile() throws -> String {
        let file = directory.appendingPathComponent("users.csv")
        try (["SEQUENTIAL"] + (200...209).map { "\($0);\($0 == 204 ? "correct-horse" : "pw\($0)")" }).joined(separator: "\n").appending("\n")
            .write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}

extension ShieldLab {
    /// Runs `Scripts/flood.py` (one core, as fast as it can) and returns its summary line.
    func flood(kind: String, source: String? = nil, sources: String? = nil, seconds: Double) throws -> PeerProcess {
        var arguments = [Self.scripts.appendingPathComponent("flood.py").path, "--target", "127.0.0.1:\(port)", "--kind", kind,
                         "--seconds", String(seconds)]
        if let source { arguments += ["--source", source] }
        if let sources { arguments += ["--sources", sources] }
        return try PeerProcess(name: "flood", executable: Peers.executable("python3"), arguments: arguments)
    }

    /// SIGKILL: the gateway gets no chance to flush anything.
    func killGateway() {
        guard let gateway, gateway.process.isRunning else { return }
        kill(gateway.process.processIdentifier, SIGKILL)
        gateway.process.waitUntilExit()
    }
}
