import ArgumentParser
import Foundation
import SIPTransport

/// `tollgate cert self-signed`: a development certificate for TLS listeners.
struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Certificates for TLS listeners.",
        subcommands: [SelfSigned.self]
    )

    struct SelfSigned: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Write a self-signed ECDSA P-256 certificate and key for development (peers cannot verify it).")

        @Option(name: .long, help: "Certificate file to write (PEM).")
        var cert = "tollgate-cert.pem"

        @Option(name: .long, help: "Private key file to write (PEM, mode 0600).")
        var key = "tollgate-key.pem"

        @Option(name: .long, help: "DNS name the certificate is for; repeatable.")
        var name: [String] = ["localhost"]

        @Option(name: .long, help: "IP address the certificate is for; repeatable.")
        var ip: [String] = ["127.0.0.1", "::1"]

        @Option(name: .long, help: "Days of validity.")
        var days = 365

        @Flag(name: .long, help: "Overwrite existing files.")
        var force = false

        func validate() throws {
            guard (1...3650).contains(days) else { throw ValidationError("--days must be from 1 to 3650.") }
        }

        func run() async throws {
            for path in [cert, key] where FileManager.default.fileExists(atPath: path) && !force {
                printError("\(path) exists; use --force to overwrite it")
                throw ExitCode(1)
            }
            let generated = try SelfSignedCertificate(commonName: name.first ?? "Tollgate development", dnsNames: name, ipAddresses: ip, days: days)
            try generated.write(certificate: cert, key: key)
            print("wrote \(cert) and \(key) (valid \(days) days for \((name + ip).joined(separator: ", ")))")
        }
    }
}
