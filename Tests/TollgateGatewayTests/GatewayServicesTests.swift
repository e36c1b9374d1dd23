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
        let config = try GatewayTestConfig.make(port: 5631, trunk: "tls:127.0.0.10:5633",
                                                trunkLines: ["\(key): \(missing)"] + (key == "tls_certificate" ? ["tls_key: \(missing)"] : []))
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
