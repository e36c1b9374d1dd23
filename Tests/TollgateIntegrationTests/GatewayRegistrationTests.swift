import Foundation
import Testing

/// Tollgate registering with a carrier: sipp plays the carrier's registrar on 127.0.0.10.
@Suite("Gateway registration with a trunk, sipp as the carrier's registrar", .serialized)
struct GatewayRegistrationTests {
    static let password = "correct-horse"

    static func config(port: Int, carrierPort: Int, password: String, realm: String?) -> String {
        let realmEntry = realm.map { ", realm: \($0)" } ?? ""
        return """
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: \(port) }
            pbx: { endpoint: "udp:127.0.0.20:\(port + 1)" }
            trunks:
              - name: carrier
                endpoint: udp:127.0.0.10:\(carrierPort)
                probe: { enabled: false }
                credentials: { username: alice, password: "\(password)"\(realmEntry), register: true, register_expires: 60 }
            routes:
              - { prefix: "", trunks: [carrier] }
            """
    }

    /// The REGISTERs a sipp peer received, in order, from its -trace_msg log.
    static func receivedRegisters(_ log: URL) throws -> [String] {
        let text = try String(contentsOf: log, encoding: .utf8)
        return text.components(separatedBy: "-----------------------------------------------")
            .filter { $0.contains("message received") && $0.contains("REGISTER sip:") }
    }

    static func header(_ name: String, in message: String) -> String? {
        message.components(separatedBy: .newlines).first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test("register with a challenge, refresh at 80% of the 2 s the carrier grants, unregister at shutdown, all verified by the carrier")
    func registerRefreshUnregister() throws {
        let messages = GatewayTrunkTests.messageLog()
        let carrier = try PeerProcess.sipp("uas-register-refresh.xml", local: "127.0.0.10", port: 5262, calls: 1,
                                           extra: ["-trace_msg", "-message_file", messages.path])
        usleep(300_000)
        let gateway = try GatewayTrunkTests.startGateway(Self.config(port: 5260, carrierPort: 5262, password: Self.password,
                                                                     realm: "carrier.example"))
        #expect(gateway.waitForLog("registered as alice", timeout: 10), "gateway: \(gateway.log.suffix(3000))")
        #expect(gateway.waitForLog("registration refreshed", timeout: 10), "gateway: \(gateway.log.suffix(3000))")
        gateway.stop()
        #expect(carrier.wait(timeout: 10) == 0, "carrier: \(carrier.log.suffix(2000))\ngateway: \(gateway.log.suffix(3000))")
        #expect(gateway.log.contains("unregistered"), "gateway: \(gateway.log.suffix(3000))")
        #expect(!gateway.log.contains(Self.password), "the password appeared in the gateway's log")

        let registers = try Self.receivedRegisters(messages)
        #expect(registers.count == 6, "\(registers)")
        #expect(Set(registers.compactMap { Self.header("Call-ID", in: $0) }).count == 1, "one Call-ID across refreshes")
        #expect(registers.compactMap { Self.header("CSeq", in: $0) } == (1...6).map { "\($0) REGISTER" })
        #expect(registers.compactMap { Self.header("Expires", in: $0) } == ["60", "60", "60", "60", "0", "0"])
        #expect(registers.map { Self.header("Authorization", in: $0) != nil } == [false, true, false, true, false, true])
        #expect(registers.allSatisfy { Self.header("Contact", in: $0) == "<sip:alice@127.0.0.1:5260>" })
    }

    @Test("wrong credentials: the carrier refuses them (403) and the gateway reports registration-failed, with a retry")
    func refusedCredentials() throws {
        // uas-register.xml checks user 204 with password correct-horse in realm pbx.example.com.
        let carrier = try PeerProcess.sipp("uas-register.xml", local: "127.0.0.10", port: 5265, calls: 1)
        usleep(300_000)
        let gateway = try GatewayTrunkTests.startGateway(Self.config(port: 5263, carrierPort: 5265, password: "wrong-horse", realm: nil)
            .replacingOccurrences(of: "username: alice", with: "username: \"204\""))
        defer { gateway.stop() }
        #expect(carrier.wait(timeout: 10) == 0, "carrier: \(carrier.log.suffix(2000))")
        #expect(gateway.waitForLog("registration-failed", timeout: 5), "gateway: \(gateway.log.suffix(3000))")
        #expect(gateway.log.contains("answered 403; retrying in 30 s"), "gateway: \(gateway.log.suffix(3000))")
        #expect(!gateway.log.contains("wrong-horse"))
    }
}
