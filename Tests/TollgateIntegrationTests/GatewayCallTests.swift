import Foundation
import Testing

/// Calls through a running `tollgate serve` between real sipp peers: a trunk on 127.0.0.10 calls
/// the PBX on 127.0.0.20 through Tollgate on 127.0.0.1.
@Suite("Gateway with sipp peers", .serialized)
struct GatewayCallTests {
    static func gateway(transport: String = "udp", port: Int, pbxPort: Int, extra: [String] = []) throws -> PeerProcess {
        try PeerProcess.tollgate(["--pbx", "\(transport):127.0.0.20:\(pbxPort)", "--listen", "\(transport):127.0.0.1:\(port)",
                                  "--trunk", "\(transport):127.0.0.10:5090"] + extra)
    }

    func run(uas: String, uac: String, port: Int, pbxPort: Int, calls: Int, transport: String = "udp", sippTransport: String = "u1",
             uacExtra: [String] = [], gatewayExtra: [String] = []) throws -> (gateway: PeerProcess, uasStatus: Int32?, uacStatus: Int32?, uac: PeerProcess, uas: PeerProcess) {
        let gateway = try Self.gateway(transport: transport, port: port, pbxPort: pbxPort, extra: gatewayExtra)
        let pbx = try PeerProcess.sipp(uas, local: "127.0.0.20", port: pbxPort, calls: calls, transport: sippTransport)
        usleep(300_000)
        let caller = try PeerProcess.sipp(uac, local: "127.0.0.10", port: 5090, remote: "127.0.0.1:\(port)", calls: calls,
                                          transport: sippTransport, extra: ["-s", "201"] + uacExtra)
        let uacStatus = caller.wait(timeout: 60)
        let uasStatus = pbx.wait(timeout: 10)
        gateway.stop()
        return (gateway, uasStatus, uacStatus, caller, pbx)
    }

    @Test("INVITE/100/180/200/ACK/BYE over UDP: every call completes on both sides")
    func udpCalls() throws {
        let result = try run(uas: "uas-call.xml", uac: "uac-call.xml", port: 5170, pbxPort: 5180, calls: 10)
        #expect(result.uacStatus == 0, "caller: \(result.uac.log.suffix(2000))")
        #expect(result.uasStatus == 0, "pbx: \(result.uas.log.suffix(2000))")
        #expect(result.gateway.process.terminationStatus == 0, "SIGTERM ends the gateway cleanly: \(result.gateway.log.suffix(1000))")
        #expect(result.gateway.log.contains("gateway stopped"))
    }

    @Test("an INVITE of about 5 KB in one UDP datagram is relayed whole, and the call completes")
    func largeDatagram() throws {
        let result = try run(uas: "uas-call.xml", uac: "uac-large-invite.xml", port: 5165, pbxPort: 5166, calls: 3)
        #expect(result.uacStatus == 0, "caller: \(result.uac.log.suffix(2000))\ngateway: \(result.gateway.log.suffix(2000))")
        #expect(result.uasStatus == 0, "pbx: \(result.uas.log.suffix(2000))")
    }

    @Test("INVITE/100/180/200/ACK/BYE over TCP")
    func tcpCalls() throws {
        let result = try run(uas: "uas-call.xml", uac: "uac-call.xml", port: 5171, pbxPort: 5181, calls: 5, transport: "tcp", sippTransport: "t1")
        #expect(result.uacStatus == 0, "caller: \(result.uac.log.suffix(2000))\ngateway: \(result.gateway.log.suffix(3000))")
        #expect(result.uasStatus == 0, "pbx: \(result.uas.log.suffix(2000))")
    }

    @Test("a 486 from the PBX reaches the caller and the ACKs close both transactions")
    func busy() throws {
        let result = try run(uas: "uas-busy.xml", uac: "uac-busy.xml", port: 5172, pbxPort: 5182, calls: 5)
        #expect(result.uacStatus == 0, "caller: \(result.uac.log.suffix(2000))")
        #expect(result.uasStatus == 0, "pbx: \(result.uas.log.suffix(2000))")
    }

    @Test("CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE, on both sides")
    func cancel() throws {
        let result = try run(uas: "uas-cancel.xml", uac: "uac-cancel.xml", port: 5173, pbxPort: 5183, calls: 5)
        #expect(result.uacStatus == 0, "caller: \(result.uac.log.suffix(2000))")
        #expect(result.uasStatus == 0, "pbx: \(result.uas.log.suffix(2000))")
    }

    @Test("REGISTER with a Digest challenge passes through and the PBX verifies the credentials")
    func register() throws {
        let result = try run(uas: "uas-register.xml", uac: "uac-register.xml", port: 5174, pbxPort: 5184, calls: 3,
                             gatewayExtra: ["--remote-phones"])
        #expect(result.uacStatus == 0, "phone: \(result.uac.log.suffix(2000))")
        #expect(result.uasStatus == 0, "pbx: \(result.uas.log.suffix(2000))")
    }

    @Test("with 10% packet loss at the caller every call still completes")
    func lossyCaller() throws {
        let result = try run(uas: "uas-call.xml", uac: "uac-call.xml", port: 5175, pbxPort: 5185, calls: 10, uacExtra: ["-lost", "10"])
        // Every call completed end to end: each BYE's 200 can only come from the PBX through Tollgate.
        #expect(result.uacStatus == 0, "caller: \(result.uac.log.suffix(2000))")
        // The PBX saw no failed call (exit 1). With loss it may still be waiting out a late duplicate
        // when the caller is done, so a PBX that had to be stopped is not a failure here.
        #expect(result.uasStatus != 1, "pbx: \(result.uas.log.suffix(2000))")
    }
}
