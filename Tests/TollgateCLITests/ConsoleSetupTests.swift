import Foundation
import Logging
import Testing
import TollgateConfig
@testable import tollgate

@Suite("The console's certificate")
struct ConsoleSetupTests {
    @Test("off loopback without a certificate, one is made beside the store on first start, for the console's address, and reused after")
    func selfSigned() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-console-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = ConsoleConfig(listen: Endpoint(transport: .tcp, host: "192.0.2.10", port: 8443))
        #expect(settings.usesTLS && settings.baseURL == "https://192.0.2.10:8443")
        let store = folder.appendingPathComponent("tollgate.db").path
        let first = try ConsoleSetup.selfSignedCertificate(for: settings, storePath: store, logger: Logger(label: "test"))
        #expect(first.certificate == folder.path + "/console-cert.pem" && first.key == folder.path + "/console-key.pem")
        #expect(first.fingerprint.split(separator: ":").count == 32)
        let keyMode = try FileManager.default.attributesOfItem(atPath: first.key)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let pem = try String(contentsOfFile: first.certificate, encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let again = try ConsoleSetup.selfSignedCertificate(for: settings, storePath: store, logger: Logger(label: "test"))
        #expect(again.fingerprint == first.fingerprint)
    }
}
