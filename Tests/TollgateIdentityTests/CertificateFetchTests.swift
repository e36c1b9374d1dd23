import Foundation
import NIOCore
import NIOPosix
import Testing
import TollgateTestSupport

@testable import TollgateIdentity

/// The verifier against a real HTTPS certificate server on 127.0.0.41: served, missing, garbage,
/// huge, hanging and slow certificates, each with its verdict and within the call's budget.
@Suite("Certificates fetched over HTTPS within a time budget", .serialized)
struct CertificateFetchTests {
    static let host = "127.0.0.41"

    /// The verifier is only touched on its loop (through `submit`), so the lab can cross tasks.
    struct Lab: @unchecked Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let authority: ShakenTestAuthority
        let server: CertificateServer
        let verifier: CallerIdentityVerifier
        let url: String
        var loop: any EventLoop { verifier.eventLoop }

        init(mode: (ShakenTestAuthority) -> CertificateServer.Mode, budget: TimeAmount = .milliseconds(500),
             fetchTimeout: TimeAmount = .seconds(3), trustServer: Bool = true) throws {
            authority = try ShakenTestAuthority()
            server = try CertificateServer(host: CertificateFetchTests.host, mode: mode(authority), group: group)
            url = "https://\(CertificateFetchTests.host):\(server.port)/sti/707H.pem"
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-identity-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let caFile = directory.appendingPathComponent("server-ca.pem").path
            try server.tlsAuthorityPEM.write(toFile: caFile, atomically: true, encoding: .utf8)
            let policy = CertificateURLPolicy(allow: ["\(CertificateFetchTests.host):\(server.port)"])
            let source = try HTTPSCertificateSource(anchors: IdentityTrustAnchors([authority.root]), policy: policy,
                                                    tlsCA: trustServer ? [caFile] : [], timeout: fetchTimeout)
            verifier = CallerIdentityVerifier(passports: PassportVerifier(numbers: TelephoneNumbers(countryCode: "1"), urlPolicy: policy),
                                              source: source, eventLoop: group.next(), budget: budget)
        }

        func call() -> IdentityCall {
            let token = authority.passport(orig: "12155550100", dest: ["12155550199"], x5u: url)
            return IdentityCall(identityHeaders: [authority.identityHeader(token, info: url)], callers: ["+12155550100"],
                                called: ["+12155550199"])
        }

        /// Prepares and judges a call the way the gateway does; the verdict and how long it waited.
        func judge(_ call: IdentityCall) async throws -> (IdentityVerdict, Duration) {
            let clock = ContinuousClock()
            let start = clock.now
            let verifier = self.verifier
            let wait = try await loop.submit { verifier.prepare(call, now: Date()) }.get()
            try await wait?.get()
            let verdict = try await loop.submit { verifier.verify(call, now: Date()) }.get()
            return (verdict, clock.now - start)
        }

        func stop() {
            server.close()
            try? group.syncShutdownGracefully()
        }
    }

    @Test("a served chain verifies; the second call finds it cached")
    func served() async throws {
        let lab = try Lab(mode: { .serve($0.chainPEM) })
        defer { lab.stop() }
        #expect(try await lab.judge(lab.call()).0 == .verified(.a))
        #expect(try await lab.judge(lab.call()).0 == .verified(.a))
        #expect(lab.server.requests.withLockedValue { $0 } == 1)
    }

    @Test("many calls waiting on one URL make one fetch")
    func oneFetchPerURL() async throws {
        let lab = try Lab(mode: { .slow(.milliseconds(100), $0.chainPEM) })
        defer { lab.stop() }
        try await withThrowingTaskGroup(of: IdentityVerdict.self) { group in
            for _ in 0..<20 { group.addTask { try await lab.judge(lab.call()).0 } }
            for try await verdict in group { #expect(verdict == .verified(.a)) }
        }
        #expect(lab.server.requests.withLockedValue { $0 } == 1)
    }

    @Test("404, garbage and a huge answer are certificate-unavailable; failures are remembered")
    func badAnswers() async throws {
        for mode in [CertificateServer.Mode.notFound, .garbage, .huge] {
            let lab = try Lab(mode: { _ in mode })
            defer { lab.stop() }
            let (verdict, waited) = try await lab.judge(lab.call())
            #expect(verdict == .failed(.certificateUnavailable), "\(mode)")
            #expect(waited < .seconds(2))
            #expect(try await lab.judge(lab.call()).0 == .failed(.certificateUnavailable))
            #expect(lab.server.requests.withLockedValue { $0 } == 1)
        }
    }

    @Test("a server that hangs costs the call its budget and no more")
    func hanging() async throws {
        let lab = try Lab(mode: { _ in .hang }, budget: .milliseconds(300))
        defer { lab.stop() }
        let (verdict, waited) = try await lab.judge(lab.call())
        #expect(verdict == .failed(.certificateTimeout))
        #expect(waited >= .milliseconds(250) && waited < .milliseconds(1500))
    }

    @Test("a slow server: the first call times out, the fetch goes on, later calls verify")
    func slow() async throws {
        let lab = try Lab(mode: { .slow(.milliseconds(700), $0.chainPEM) }, budget: .milliseconds(200))
        defer { lab.stop() }
        #expect(try await lab.judge(lab.call()).0 == .failed(.certificateTimeout))
        try await Task.sleep(for: .milliseconds(900))
        #expect(try await lab.judge(lab.call()).0 == .verified(.a))
        #expect(lab.server.requests.withLockedValue { $0 } == 1)
    }

    @Test("a certificate server whose TLS certificate is not trusted is unavailable")
    func untrustedServer() async throws {
        let lab = try Lab(mode: { .serve($0.chainPEM) }, trustServer: false)
        defer { lab.stop() }
        #expect(try await lab.judge(lab.call()).0 == .failed(.certificateUnavailable))
    }

    @Test("a name that resolves to an internal address is never connected to (SSRF)")
    func internalName() async throws {
        let lab = try Lab(mode: { .serve($0.chainPEM) })
        defer { lab.stop() }
        let open = CertificateURLPolicy()
        let source = try HTTPSCertificateSource(anchors: IdentityTrustAnchors([lab.authority.root]), policy: open)
        let url = try #require(CertificateURL("https://localhost:8443/sp.pem"))
        let result = try await source.certificate(for: url, at: Date(), on: lab.loop).get()
        guard case .failure(let failure) = result else {
            Issue.record("fetched from an internal address")
            return
        }
        #expect(failure == .certificateURLNotAllowed)
        #expect(lab.server.requests.withLockedValue { $0 } == 0)
    }
}
