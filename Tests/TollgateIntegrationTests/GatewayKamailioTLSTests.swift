import Foundation
import Testing

/// SIP over TLS with a third-party TLS stack: Kamailio (OpenSSL) plays a carrier's SBC on 127.0.0.12. It takes
/// calls from a sipp caller over UDP, relays them over TLS 1.2+ to Tollgate's TLS listener, verifying the
/// certificate Tollgate presents, and record-routes so ACK and BYE take the same TLS path; the PBX answers over UDP.
@Suite("Gateway over TLS with Kamailio as the trunk", .serialized)
struct GatewayKamailioTLSTests {
    /// Kamailio's module directory; its TLS module ships in a package of its own.
    static func kamailioModules() throws -> String {
        let candidates = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib64", "/usr/local/lib"]
            .map { "\($0)/kamailio/modules" }
        guard let modules = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/tm.so") }) else {
            throw Peers.PeerError.missing("kamailio's modules (tm.so in \(candidates.joined(separator: ", ")); package kamailio)")
        }
        guard FileManager.default.fileExists(atPath: "\(modules)/tls.so") else {
            throw Peers.PeerError.missing("kamailio's TLS module (\(modules)/tls.so; package kamailio-tls-modules)")
        }
        return modules
    }

    /// Starts Kamailio in the foreground (`-DD`, logging to stderr) with its configuration, TLS settings and
    /// runtime files in a directory of its own: UDP on 127.0.0.12:5244, TLS on 127.0.0.12:5245. New calls go to
    /// Tollgate's TLS listener at 127.0.0.1:5240 from the TLS socket; `trusting` is the certificate it accepts there.
    static func kamailio(trusting gatewayCert: String, cert: String, key: String) throws -> PeerProcess {
        let executable = try Peers.executable("kamailio")
        let modules = try kamailioModules()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-kamailio-\(UUID().uuidString)")
        let runtime = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        let tls = directory.appendingPathComponent("tls.cfg")
        try """
            [server:default]
            method = TLSv1.2+
            certificate = \(cert)
            private_key = \(key)

            [client:default]
            method = TLSv1.2+
            verify_certificate = yes
            require_certificate = yes
            ca_list = \(gatewayCert)
            """.write(to: tls, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("kamailio.cfg")
        try """
            #!KAMAILIO
            debug=2
            children=1
            tcp_children=1
            auto_aliases=no
            listen=udp:127.0.0.12:5244
            listen=tls:127.0.0.12:5245
            enable_tls=yes
            tcp_connect_timeout=5

            mpath="\(modules)/"
            loadmodule "tls.so"
            loadmodule "pv.so"
            loadmodule "textops.so"
            loadmodule "tm.so"
            loadmodule "sl.so"
            loadmodule "rr.so"
            loadmodule "maxfwd.so"
            loadmodule "siputils.so"
            loadmodule "xlog.so"
            modparam("tls", "config", "\(tls.path)")

            request_route {
                if (!mf_process_maxfwd_header("10")) {
                    sl_send_reply("483", "Too Many Hops");
                    exit;
                }
                if (has_totag()) {
                    if (loose_route()) {
                        xlog("L_INFO", "in-dialog $rm to $du\\n");
                        t_relay();
                        exit;
                    }
                    if (is_method("ACK") && t_check_trans()) t_relay();
                    exit;
                }
                if (is_method("CANCEL")) {
                    if (t_check_trans()) t_relay();
                    exit;
                }
                record_route();
                if ($si == "127.0.0.1" && $proto == "tls") {
                    # From Tollgate over TLS: the carrier's own network, a sipp UAS over UDP.
                    $ru = "sip:" + $rU + "@127.0.0.12:5247";
                    xlog("L_INFO", "terminating $rm from $si:$sp over $proto at $ru\\n");
                    force_send_socket(udp:127.0.0.12:5244);
                } else {
                    $ru = "sip:" + $rU + "@127.0.0.1:5240;transport=tls";
                    xlog("L_INFO", "relaying $rm from $si:$sp to $ru\\n");
                    force_send_socket(tls:127.0.0.12:5245);
                }
                if (!t_relay()) sl_reply_error();
            }

            event_route[core:worker-one-init] {
                xlog("L_NOTICE", "trunk SBC ready\\n");
            }
            """.write(to: config, atomically: true, encoding: .utf8)
        let peer = try PeerProcess(name: "kamailio", executable: executable,
                                   arguments: ["-DD", "-E", "-f", config.path, "-Y", runtime.path, "-m", "32", "-M", "4"], directory: directory)
        guard peer.waitForLog("trunk SBC ready", timeout: 15) else {
            peer.stop()
            throw Peers.PeerError.didNotStart(peer.log)
        }
        return peer
    }

    /// - Parameter trunkCA: the CA Tollgate checks Kamailio's certificate against when it connects.
    static func gateway(cert: String, key: String, trunkCA: String) throws -> PeerProcess {
        let yaml = """
            listeners:
              - { zone: external, transport: tls, address: 127.0.0.1, port: 5240, tls_certificate: "\(cert)", tls_key: "\(key)" }
              - { zone: internal, transport: udp, address: 127.0.0.1, port: 5241 }
            pbx: { endpoint: "udp:127.0.0.20:5248" }
            trunks:
              - name: carrier
                endpoint: tls:127.0.0.12:5245
                allowed_sources: [127.0.0.12/32]
                probe: { enabled: false }
                tls_ca: "\(trunkCA)"
            routes:
              - { prefix: "", trunks: [carrier] }
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-kamailio-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try PeerProcess.tollgate(["--config", file.path])
    }

    /// Tollgate with its own self-signed certificate, which Kamailio trusts, and Kamailio with a
    /// certificate from a test CA, which Tollgate trusts through the trunk's `tls_ca`.
    static func gatewayAndKamailio() throws -> (gateway: PeerProcess, kamailio: PeerProcess) {
        let (cert, key) = try GatewayTLSTests.certificate()
        let carrier = try GatewayTLSTests.clientCertificate()
        let gateway = try Self.gateway(cert: cert, key: key, trunkCA: carrier.ca)
        do {
            return (gateway, try Self.kamailio(trusting: cert, cert: carrier.cert, key: carrier.key))
        } catch {
            gateway.stop()
            throw error
        }
    }

    @Test("calls from a carrier's Kamailio over TLS reach the PBX and complete, ACK and BYE on the same TLS path")
    func callsFromKamailioOverTLS() throws {
        let (gateway, sbc) = try Self.gatewayAndKamailio()
        defer {
            sbc.stop()
            gateway.stop()
        }
        let pbx = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.20", port: 5248, calls: 3)
        defer { pbx.stop() }
        usleep(300_000)
        let caller = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.12", port: 5246, remote: "127.0.0.12:5244", calls: 3,
                                          extra: ["-s", "201"])
        #expect(caller.wait(timeout: 30) == 0,
                "caller: \(caller.log.suffix(1500))\nkamailio: \(sbc.log.suffix(3000))\ngateway: \(gateway.log.suffix(2000))")
        #expect(pbx.wait(timeout: 10) == 0, "pbx: \(pbx.log.suffix(1500))")

        let relayed = sbc.log.components(separatedBy: "\n")
        #expect(relayed.filter { $0.contains("relaying INVITE") && $0.hasSuffix("transport=tls") }.count >= 3, "kamailio: \(sbc.log.suffix(3000))")
        #expect(relayed.filter { $0.contains("in-dialog BYE to sip:127.0.0.1:5240;transport=tls") }.count >= 3,
                "BYE went to Tollgate's TLS listener by its Record-Route: \(sbc.log.suffix(3000))")
        #expect(!gateway.log.contains("unknown-source"), "gateway: \(gateway.log.suffix(2000))")
    }

    @Test("the PBX's calls go out to the carrier's Kamailio over TLS that Tollgate opens, checking Kamailio's certificate against tls_ca")
    func callsToKamailioOverTLS() throws {
        let (gateway, sbc) = try Self.gatewayAndKamailio()
        defer {
            sbc.stop()
            gateway.stop()
        }
        let callee = try PeerProcess.sipp("uas-call.xml", local: "127.0.0.12", port: 5247, calls: 3)
        defer { callee.stop() }
        usleep(300_000)
        let pbx = try PeerProcess.sipp("uac-call.xml", local: "127.0.0.20", port: 5248, remote: "127.0.0.1:5241", calls: 3,
                                       extra: ["-s", "00441632960123"])
        #expect(pbx.wait(timeout: 30) == 0,
                "pbx: \(pbx.log.suffix(1500))\nkamailio: \(sbc.log.suffix(3000))\ngateway: \(gateway.log.suffix(2000))")
        #expect(callee.wait(timeout: 10) == 0, "callee: \(callee.log.suffix(1500))")
        let lines = sbc.log.components(separatedBy: "\n")
        #expect(lines.filter { $0.contains("terminating INVITE from 127.0.0.1") && $0.contains("over tls") }.count >= 3,
                "kamailio: \(sbc.log.suffix(3000))")
    }
}
