import ArgumentParser
import Foundation
import TollgateModel
import NIOCore
import NIOPosix
import TollgateIdentity

/// `tollgate identity verify`: the verdict the gateway would reach on one Identity header.
struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Caller identity (STIR/SHAKEN).",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Verify an Identity header (RFC 8224) as the gateway would.",
            discussion: """
                Prints the verdict: 'verified A' (B, C) and exits 0; 'failed: REASON' and exits 1; exits 2 when the \
                input cannot be used (no certificate authority, an unreadable file, a bad --at). Without --cert the \
                certificate is fetched from the PASSporT's x5u, within --budget, as the gateway fetches it. Give \
                the diversion PASSporTs of a diverted call as further arguments.
                """)

        @Argument(help: "The Identity header's value (a leading 'Identity:' is ignored); then any 'div' PASSporTs.")
        var identity: [String] = []

        @Option(name: .long, help: "The caller's number as the call shows it (From or P-Asserted-Identity).")
        var orig: String?

        @Option(name: .long, help: "The number called (the Request-URI's).")
        var dest: String?

        @Option(name: .long, help: "PEM file of the STI certificate authority (trust anchor); repeatable.")
        var ca: [String] = []

        @Option(name: .long, help: "PEM file of the signing certificate (and its intermediates) instead of fetching x5u.")
        var cert: String?

        @Option(name: .long, help: "Judge as at this time (ISO 8601, or a duration back from now such as 2h).")
        var at: String?

        @Option(name: .long, help: "Country calling code of numbers written nationally.")
        var countryCode = "1"

        @Option(name: .long, help: "Oldest iat accepted, in seconds.")
        var maxAge: Double = 60

        @Option(name: .long, help: "Seconds the certificate fetch may take.")
        var budget: Double = 0.5

        @Option(name: .long, help: "A host x5u may name (name, *.domain, host:port or an address); repeatable. Default: any public host on 443 or 8443.")
        var allow: [String] = []

        @Option(name: .long, help: "PEM file the certificate server's TLS certificate must chain to (default: the system's roots).")
        var x5uCA: [String] = []

        func run() async throws {
            do {
                let verdict = try await verdict()
                switch verdict {
                case .verified(let level):
                    print("verified \(level.rawValue)")
                case .failed(let reason):
                    print("failed: \(reason.rawValue)")
                    throw ExitCode(1)
                case .absent:
                    print("absent")
                    throw ExitCode(1)
                }
            } catch let error as CLIError {
                printError(error.message)
                throw ExitCode(2)
            }
        }

        private func verdict() async throws -> IdentityVerdict {
            let headers = identity.map { value -> String in
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.lowercased().hasPrefix("identity:") ? String(trimmed.dropFirst("identity:".count)) : trimmed
            }.filter { !$0.isEmpty }
            guard !headers.isEmpty else { throw CLIError(message: "give the Identity header's value") }
            guard let orig, let dest else { throw CLIError(message: "--orig and --dest are needed: the numbers the call shows") }
            guard !ca.isEmpty else { throw CLIError(message: "--ca is needed: the STI certificate authority to trust") }
            guard maxAge > 0, budget > 0 else { throw CLIError(message: "--max-age and --budget must be more than 0") }
            let time: Date
            do { time = try at.map { try PointInTimeText(parsing: $0).date } ?? Date() } catch { throw CLIError(message: "--at: \(error)") }
            let anchors: IdentityTrustAnchors
            do {
                anchors = try IdentityTrustAnchors(pemFiles: ca)
            } catch {
                throw CLIError(message: "--ca: cannot read the certificates (\(error))")
            }
            guard !anchors.roots.isEmpty else { throw CLIError(message: "--ca: no certificate in \(ca.joined(separator: ", "))") }
            let policy = CertificateURLPolicy(allow: allow)
            let passports = PassportVerifier(numbers: TelephoneNumbers(countryCode: countryCode), maxAge: maxAge, urlPolicy: policy)
            let call = IdentityCall(identityHeaders: headers, callers: [orig], called: [dest])

            if let cert {
                guard let data = FileManager.default.contents(atPath: cert), let chain = IdentityTrustAnchors.certificates(served: Array(data)) else {
                    throw CLIError(message: "--cert: \(cert) holds no certificate")
                }
                let lookup: CertificateLookup
                switch await anchors.validate(chain, at: time) {
                case .success(let certificate): lookup = .ready(certificate)
                case .failure(let failure): lookup = .failed(failure)
                }
                return passports.verify(call, at: time) { _ in lookup }
            }
            let source: HTTPSCertificateSource
            do {
                source = try HTTPSCertificateSource(anchors: anchors, policy: policy, tlsCA: x5uCA)
            } catch {
                throw CLIError(message: "--x5u-ca: \(error)")
            }
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let verifier = try await loop.submit {
                NIOLoopBound(CallerIdentityVerifier(passports: passports, source: source, eventLoop: loop,
                                                    budget: .milliseconds(Int64((budget * 1000).rounded()))), eventLoop: loop)
            }.get()
            let wait = try await loop.submit { verifier.value.prepare(call, now: time) }.get()
            try await wait?.get()
            return try await loop.submit { verifier.value.verify(call, now: time) }.get()
        }
    }
}
