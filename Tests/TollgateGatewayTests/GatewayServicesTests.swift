import Foundation
import Logging
import SIPTransport
import Testing
import TollgateConfig

@testable import TollgateGateway

/// Building the gateway's services from a configuration that passed validation but cannot be run.
@Suite("Gateway: building its services")
struct GatewayServicesTests {
    @Test("a TLS trunk whose trust roots or client certificate cannot be read stops the build with an error that names the file",
          arguments: [("tls_ca", "trust roots"), ("tls_certificate", "certificate")])
    func unreadableTLSFiles(key: String, what: String) async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-missing-\(UUID().uuidString).pem").path
        let config = try TollgateConfig(yaml: """
            listeners:
              - zone: external
                transport: udp
                address: 127.0.0.1
                port: 5631
            pbx:
              endpoint: udp:127.0.0.20:5632
            trunks:
              - name: carrier
                endpoint: tls:127.0.0.10:5633
                \(key): \(missing)\(key == "tls_certificate" ? "\n    tls_key: \(missing)" : "")
                probe: { enabled: false }
            routes:
              - prefix: ""
                trunks: [carrier]
            media:
              anchor: false
            """)
        let gateway = Gateway(config: config, logger: Logger(label: "test"))
        await #expect {
            _ = try await gateway.services()
        } throws: { error in
            guard case SIPTransportError.tlsSetup(_, let reason) = error else { return false }
            return reason.hasPrefix("\(what) \(missing):")
        }
        #expect(await gateway.status() == nil, "nothing was left running")
    }
}
