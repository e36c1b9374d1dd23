import Foundation
import Testing

@Suite("tollgate config, route and serve on bad input")
struct ConfigCommandTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tollgate.yaml").path

    static func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cli-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let broken = """
        listeners:
          - { zone: external, transport: udp, address: 127.0.0.1, port: 99999 }
        pbx: { endpoint: "udp:127.0.0.20:5080" }
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090
            credentials: { username: acme, password: s3cret-trunk-pass }
        routes:
          - { prefix: "", trunks: [nosuchtrunk] }
        """

    @Test("config check accepts the shipped example")
    func exampleIsValid() throws {
        let output = try TollgateBinary.run(["config", "check", Self.example])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains(": ok"))
    }

    @Test("config check lists every error with its line and exits 1")
    func brokenFile() throws {
        let path = try Self.write(Self.broken)
        let output = try TollgateBinary.run(["config", "check", path])
        #expect(output.status == 1)
        #expect(output.stdout.contains("\(path):2:"), "\(output.stdout)")
        #expect(output.stdout.contains("nosuchtrunk"))
    }

    @Test("serve refuses an invalid configuration and never starts")
    func serveRefuses() throws {
        let path = try Self.write(Self.broken)
        let output = try TollgateBinary.run(["serve", "--config", path])
        #expect(output.status == 1)
        #expect(!output.stderr.contains("gateway started"))
        #expect(output.stderr.contains("error:"))
    }

    @Test("config show --json prints the effective configuration with flags applied and never a password")
    func showJSON() throws {
        let path = try Self.write(Self.broken.replacingOccurrences(of: "99999", with: "5070").replacingOccurrences(of: "nosuchtrunk", with: "carrier"))
        let output = try TollgateBinary.run(["config", "show", "--json", "--config", path, "--pbx", "udp:127.0.0.21:5060"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("127.0.0.21"))
        #expect(!output.stdout.contains("s3cret-trunk-pass"))
        #expect(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) is [String: Any])
    }

    @Test("route test names the rule and the trunks in order")
    func routeTest() throws {
        let output = try TollgateBinary.run(["route", "test", "00441632960123", "--config", Self.example])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("international"))
        #expect(output.stdout.contains("1. carrier"))
    }

    @Test("route test --account shows the number's class, the account's class of service and the policy's verdict now")
    func routeTestWithAccount() throws {
        let premium = try TollgateBinary.run(["route", "test", "09098790123", "--account", "201", "--config", Self.example])
        #expect(premium.status == 0, "\(premium.stderr)")
        let lines = premium.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "09098790123: premium (+449098790123, prefix +449 on the high-risk list)")
        #expect(lines.contains { $0.contains("account 201: class of service national (default); refused now by class-of-service") })
        let national = try TollgateBinary.run(["route", "test", "01632960123", "--account", "201", "--config", Self.example])
        #expect(national.stdout.contains("01632960123: national (+441632960123)"))
        #expect(national.stdout.contains("account 201: class of service national (default); allowed now"))
    }

    @Test("a file may leave out the PBX and listeners the flags give; the flags' values are validated with it, and its errors keep their lines")
    func partialFileWithFlags() throws {
        let path = try Self.write("performance:\n  busy_poll_us: 0\nlimits:\n  max_message_size: 8192\n")
        let output = try TollgateBinary.run(["config", "show", "--json", "--config", path,
                                             "--pbx", "udp:127.0.0.20:5080", "--listen", "udp:127.0.0.1:5070"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect((object["performance"] as? [String: Any])?["busyPollMicroseconds"] as? Int == 0)
        #expect((object["limits"] as? [String: Any])?["maxMessageSize"] as? Int == 8192)

        let check = try TollgateBinary.run(["config", "check", path])
        #expect(check.status == 1, "config check reads the file alone, which has no PBX or listeners")
        #expect(check.stdout.contains("no listeners"))

        let broken = try Self.write("performance:\n  busy_poll_us: 90000\n")
        let refused = try TollgateBinary.run(["config", "show", "--config", broken, "--pbx", "udp:127.0.0.20:5080", "--listen", "udp:127.0.0.1:5070"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(broken):2:") && refused.stderr.contains("performance.busy_poll_us"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("no listeners"))
    }

    @Test("without a file, serve needs --pbx and --listen")
    func quickStartNeedsFlags() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let output = try TollgateBinary.run(["serve", "--trunk", "udp:127.0.0.10:5090"], directory: directory)
        #expect(output.status == 1)
        #expect(output.stderr.contains("--pbx"))
    }
}

@Suite("tollgate route test with a running gateway's status")
struct RouteStatusTests {
    @Test("route test shows each trunk up or down from the status a running gateway writes, and which one a call takes now")
    func liveState() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-route-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5070 }
            pbx: { endpoint: "udp:127.0.0.20:5080" }
            trunks:
              - { name: primary, endpoint: "udp:127.0.0.10:5090", priority: 1 }
              - { name: backup, endpoint: "udp:127.0.0.11:5090", priority: 2 }
            routes:
              - { prefix: "00", trunks: [backup, primary] }
            store: { path: "\(directory.path)/tollgate.db" }
            """
        let configPath = directory.appendingPathComponent("tollgate.yaml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)

        let unknown = try TollgateBinary.run(["route", "test", "0044123", "--config", configPath])
        #expect(unknown.stdout.contains("state unknown"))

        let now = ISO8601DateFormatter().string(from: Date())
        let status = """
            {"updated":"\(now)","processID":1,"trunksUp":{"primary":false,"backup":true},"serverTransactions":0,
             "clientTransactions":0,"earlyDialogs":0,"confirmedDialogs":0,"remotePhoneBindings":0}
            """
        try status.write(toFile: directory.appendingPathComponent("tollgate.status.json").path, atomically: true, encoding: .utf8)
        let output = try TollgateBinary.run(["route", "test", "0044123", "--config", configPath])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("1. primary udp:127.0.0.10:5090 priority 1: DOWN"), "\(output.stdout)")
        #expect(output.stdout.contains("2. backup udp:127.0.0.11:5090 priority 2: up"))
        #expect(output.stdout.contains("now: backup"))
    }
}
