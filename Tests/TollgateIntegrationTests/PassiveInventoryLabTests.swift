import Foundation
import Testing

/// The passive inventory through a running `tollgate serve`: sipp phones with vendor User-Agents
/// register through the gateway (the PBX checks their Digest credentials), a carrier calls in, and
/// `tollgate inventory list` shows each device with vendor, model and firmware.
@Suite("Passive inventory with sipp through the gateway", .serialized)
struct PassiveInventoryLabTests {
    @Test("registered phones, the PBX and the trunk appear with vendor, model and firmware; a refused REGISTER does not")
    func phonesAppear() throws {
        let port = 5570
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-inventory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configFile = directory.appendingPathComponent("tollgate.yaml")
        try """
            listeners:
              - { zone: external, listen: "udp:127.0.0.1:\(port)" }
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:\(port + 2)", probe: { enabled: false } }
            remote_phones: true
            store: { path: "\(directory.appendingPathComponent("tollgate.db").path)" }
            """.write(to: configFile, atomically: true, encoding: .utf8)
        let gateway = try PeerProcess.tollgate(config: configFile, directory: directory, name: "tollgate-inventory")
        defer { gateway.stop() }

        let phones = [
            ("127.0.0.30", "Yealink SIP-T46S 66.86.0.15"),
            ("127.0.0.31", "PolycomVVX-VVX_411-UA/6.4.3.5156"),
            ("127.0.0.32", "MicroSIP/3.20.7"),
        ]
        let registrar = try PeerProcess.sipp("uas-register.xml", local: "127.0.0.20", port: port + 1, calls: phones.count + 1)
        usleep(300_000)
        for (address, userAgent) in phones {
            let phone = try PeerProcess.sipp("uac-register-device.xml", local: address, port: 5060, remote: "127.0.0.1:\(port)", calls: 1,
                                             extra: ["-key", "ua", userAgent])
            #expect(phone.wait(timeout: 30) == 0, "\(userAgent): \(phone.log.suffix(1500))\ngateway: \(gateway.log.suffix(1500))")
        }
        let wrong = try PeerProcess.sipp("uac-register-wrong.xml", local: "127.0.0.33", port: 5060, remote: "127.0.0.1:\(port)", calls: 1)
        _ = wrong.wait(timeout: 30)
        _ = registrar.wait(timeout: 10)

        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: port + 1, calls: 1)
        usleep(300_000)
        let carrier = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.10", port: port + 2, remote: "127.0.0.1:\(port)", calls: 1,
                                           extra: ["-s", "201"])
        #expect(carrier.wait(timeout: 30) == 0, "carrier: \(carrier.log.suffix(1500))")
        _ = pbx.wait(timeout: 10)

        func tollgate(_ arguments: [String]) throws -> String {
            let command = try PeerProcess(name: "tollgate-cli", executable: Peers.tollgate, arguments: arguments + ["--config", configFile.path],
                                          directory: directory)
            #expect(command.wait(timeout: 30) == 0, "tollgate \(arguments.joined(separator: " ")): \(command.log)")
            return command.log
        }
        var list = ""
        let deadline = Date().addingTimeInterval(5)
        repeat {
            list = try tollgate(["inventory", "list"])
            if list.contains("127.0.0.10") && list.contains("127.0.0.32/204") { break }
            usleep(200_000)
        } while Date() < deadline
        let rows = list.split(separator: "\n").map(String.init)
        func row(_ prefix: String) -> String { rows.first { $0.hasPrefix(prefix + " ") } ?? "" }
        #expect(row("127.0.0.30/204").contains("Yealink") && row("127.0.0.30/204").contains("SIP-T46S") && row("127.0.0.30/204").contains("66.86.0.15"),
                "\(list)")
        #expect(row("127.0.0.31/204").contains("Poly") && row("127.0.0.31/204").contains("411") && row("127.0.0.31/204").contains("6.4.3.5156"),
                "\(list)")
        #expect(row("127.0.0.32/204").contains("MicroSIP") && row("127.0.0.32/204").contains("outdated"), "\(list)")
        #expect(row("127.0.0.20").contains("pbx"), "\(list)")
        #expect(row("127.0.0.10").contains("trunk"), "\(list)")
        #expect(!list.contains("127.0.0.33"), "a refused REGISTER is no device: \(list)")
        let events = try tollgate(["events", "--kind", "inventory", "--limit", "20"])
        #expect(events.contains("new-device") && events.contains("Yealink SIP-T46S firmware 66.86.0.15"), "\(events)")
    }
}
