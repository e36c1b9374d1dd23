import Foundation
import SIPTransport
import Testing

@Suite("Development certificate files")
struct SelfSignedCertificateTests {
    @Test("the certificate and an owner-only key are written; a key that cannot be written is an error, not silence")
    func writes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try SelfSignedCertificate()
        let certPath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        try certificate.write(certificate: certPath, key: keyPath)
        #expect(try String(contentsOfFile: certPath, encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let missing = directory.appendingPathComponent("no-such-folder/key.pem").path
        #expect {
            try certificate.write(certificate: certPath, key: missing)
        } throws: { error in
            "\(error)" == "cannot write \(missing)"
        }
    }
}
