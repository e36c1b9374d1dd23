import Benchmark
import Crypto
import Foundation
import NIOCore
import NIOEmbedded
import SIPCore
import TollgateIdentity

/// Caller identity's cost per call with a warm certificate cache: reading the INVITE's claims,
/// verifying the PASSporT (shape, claims, age, numbers, the ES256 signature) and marking the INVITE
/// with `verstat`. The certificate fetch is not here: it happens once per certificate, not per call.
let x5u = "https://sti.example.net/certs/707H.pem"
let key = P256.Signing.PrivateKey()

func base64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func identityHeader(at time: Date) -> String {
    let header = #"{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"\#(x5u)"}"#
    let claims = #"{"attest":"A","dest":{"tn":["441632960999"]},"iat":\#(Int(time.timeIntervalSince1970)),"orig":{"tn":"441632960000"},"origid":"de305d54-75b4-431b-adb2-eb6b9e546014"}"#
    let input = base64url(Data(header.utf8)) + "." + base64url(Data(claims.utf8))
    let signature = (try? key.signature(for: Data(input.utf8)).rawRepresentation) ?? Data()
    return "\(input).\(base64url(signature));info=<\(x5u)>;alg=ES256;ppt=shaken"
}

func invite(identity: String) -> SIPMessage {
    let text = """
        INVITE sip:441632960999@192.0.2.1:5060 SIP/2.0\r
        Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-77ba0a2c7e3c\r
        Max-Forwards: 69\r
        From: "Caller" <sip:+441632960000@198.51.100.10>;tag=4f8a2c1e\r
        To: <sip:441632960999@192.0.2.1>\r
        P-Asserted-Identity: <sip:+441632960000@198.51.100.10;user=phone>\r
        Call-ID: 8d1c9e0f5b2a4c7d9e3f1a6b8c0d2e4f@198.51.100.10\r
        CSeq: 1 INVITE\r
        Contact: <sip:+441632960000@198.51.100.10:5060>\r
        Identity: \(identity)\r
        Content-Length: 0\r
        \r

        """
    return (try? SIPMessage(parsing: Array(text.utf8))) ?? SIPMessage(status: 500, reason: "x", headers: [], body: [])
}

/// A certificate source for a cache that is already warm: never asked.
struct WarmCache: CertificateSource {
    func certificate(for url: CertificateURL, at time: Date, on eventLoop: any EventLoop)
        -> EventLoopFuture<Result<IdentityCertificate, IdentityFailure>>
    {
        eventLoop.makeSucceededFuture(.failure(.certificateUnavailable))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(3))

    Benchmark("Verify a SHAKEN call, warm cache (claims, ES256, verstat)") { benchmark in
        let loop = EmbeddedEventLoop()
        let now = Date()
        let message = invite(identity: identityHeader(at: now))
        let verifier = CallerIdentityVerifier(passports: PassportVerifier(numbers: TelephoneNumbers(countryCode: "44")), source: WarmCache(),
                                              eventLoop: loop)
        if let url = CertificateURL(x5u) {
            verifier.provision(IdentityCertificate(key: key.publicKey, tnAuthList: TNAuthList([.serviceProviderCode("707H")]),
                                                   validUntil: now.addingTimeInterval(86_400), subject: "SHAKEN 707H"), for: url)
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var outgoing = message
            let call = IdentityCall(invite: outgoing)
            let verdict = verifier.verify(call, now: now)
            CallerIdentityMarking.removeVerstat(from: &outgoing)
            CallerIdentityMarking.addVerstat(verdict.verstat, placement: .assertedIdentity, to: &outgoing)
            blackHole(outgoing)
        }
    }

    Benchmark("Reject a malformed Identity header") { benchmark in
        let loop = EmbeddedEventLoop()
        let message = invite(identity: "eyJhbGciOiJFUzI1NiJ9.e30.AAAA;info=<\(x5u)>")
        let verifier = CallerIdentityVerifier(passports: PassportVerifier(), source: WarmCache(), eventLoop: loop)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(verifier.verify(IdentityCall(invite: message), now: Date()))
        }
    }
}
