import Foundation
import NIOCore
import SIPCore

/// `tollgate audit check HOST`: one host of the operator's checked the way an attacker would look at
/// it, rate-limited, with requests that say they come from Tollgate's audit. The SIP checks: the
/// version shown in Server/User-Agent, the enumeration leak (a random and a known extension answered
/// differently, as svwar decides), guest calls (an INVITE without credentials to an outside number
/// must get no 1xx/2xx), a reused nonce judged instead of challenged again, SRTP taken when offered;
/// with `authorized`, weak passwords for the extensions named. Then TLS (versions, certificate) and
/// the management services that answer.
public struct HostCheck: Sendable {
    public struct Options: Sendable {
        public var host: String
        public var port: Int = 5060
        /// The local address to send from (the tests use a loopback address of their own).
        public var source: String?
        /// Extensions known to exist, for the enumeration and password checks.
        public var extensions: [String] = []
        /// The outside number the guest call tries.
        public var outsideNumber = "0044207946000"
        /// Whether password checks may run (the operator owns the system and says so).
        public var authorized = false
        public var timeout: TimeAmount = .seconds(2)
        public var requestsPerSecond: Double = 5
        /// The TLS port to look at (5061 by default).
        public var tlsPort = 5061
        public var checkManagementPorts = true

        public init(host: String) {
            self.host = host
        }
    }

    /// What a check found, and what it saw.
    public struct Report: Sendable, Codable {
        public var host: String
        public var findings: [AuditFinding]
        /// Observations that are not findings: `server`, `enumeration`, `guest-call`, `tls`, `srtp`, `open-ports`.
        public var facts: [String: String]
    }

    /// The passwords tried with `authorized`, besides the extension itself and the extension twice.
    public static let weakPasswords = ["1234", "12345", "123456", "password", "0000", "1111", "secret"]

    public let options: Options
    public let fingerprints: DeviceFingerprints?

    public init(options: Options, fingerprints: DeviceFingerprints? = nil) {
        self.options = options
        self.fingerprints = fingerprints
    }

    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws -> Report {
        var findings: [AuditFinding] = []
        var facts: [String: String] = [:]
        let subject = "\(options.host):\(options.port)"
        let probe = try await SIPProbe(host: options.host, port: options.port, source: options.source, timeout: options.timeout,
                                       requestsPerSecond: options.requestsPerSecond)
        defer { Task { await probe.close() } }

        // What it says it is.
        progress("OPTIONS")
        let options = try await probe.send(ProbeRequests.make(.options, user: nil, probe: probe))
        var announced: [String] = []
        if let final = options.final {
            announced = [final.server, final.userAgent].compactMap { $0 }
            facts["options"] = "\(final.statusCode ?? 0)"
        } else {
            facts["options"] = "no answer"
        }
        if let shown = announced.first {
            facts["server"] = shown
            let identity = fingerprints?.identify(server: shown)
            if identity?.firmware != nil || shown.range(of: #"[0-9]+\.[0-9]+"#, options: .regularExpression) != nil {
                findings.append(AuditFinding(
                    check: "version-disclosed", severity: .medium, subject: subject,
                    why: "the server announces \"\(String(shown.prefix(80)))\": scanners match the version against known vulnerabilities",
                    fix: "hide the version (Asterisk: useragent= and sdpowner= without it; FreeSWITCH: user-agent-string)"))
            }
        }

        // The enumeration leak, as svwar decides it.
        progress("enumeration")
        let random = "8\(Int.random(in: 10_000_000...99_999_999))"
        let randomAnswer = try await probe.send(ProbeRequests.make(.register, user: random, probe: probe)).final?.statusCode
        let candidates = self.options.extensions.isEmpty ? ["100", "101", "200", "201", "1000", "1001"] : self.options.extensions
        var differing: [(String, Int?)] = []
        for extensionNumber in candidates {
            let answer = try await probe.send(ProbeRequests.make(.register, user: extensionNumber, probe: probe)).final?.statusCode
            if answer != randomAnswer { differing.append((extensionNumber, answer)) }
        }
        facts["enumeration"] = "random extension: \(randomAnswer.map(String.init) ?? "no answer")"
            + candidates.map { candidate in
                let answer = differing.first { $0.0 == candidate }.map { $0.1.map(String.init) ?? "no answer" } ?? (randomAnswer.map(String.init) ?? "no answer")
                return ", \(candidate): \(answer)"
            }.joined()
        if !differing.isEmpty {
            let shown = differing.prefix(3).map { "\($0.0) gets \($0.1.map(String.init) ?? "no answer")" }.joined(separator: ", ")
            findings.append(AuditFinding(
                check: "enumeration-leak", severity: .high, subject: subject,
                why: "a random extension gets \(randomAnswer.map(String.init) ?? "no answer") while \(shown): svwar lists the extensions that exist",
                fix: "answer unknown users exactly as known ones (Asterisk: alwaysauthreject=yes; or put Tollgate in front)"))
        }

        // A guest call to an outside number, with an SRTP offer.
        progress("guest call")
        let callID = ProbeRequests.token()
        let invite = ProbeRequests.make(.invite, user: self.options.outsideNumber, probe: probe, callID: callID, fromUser: "anonymous",
                                        body: ProbeRequests.srtpOffer(probe: probe))
        let guest = try await probe.send(invite)
        let ringing = guest.provisional.filter { ($0.statusCode ?? 0) > 100 }
        let finalStatus = guest.final?.statusCode
        facts["guest-call"] = (ringing.map { "\($0.statusCode ?? 0)" } + [finalStatus.map(String.init) ?? "no final answer"]).joined(separator: ", ")
        if !ringing.isEmpty || (finalStatus.map { (200..<300).contains($0) } ?? false) {
            findings.append(AuditFinding(
                check: "guest-calls", severity: .critical, subject: subject,
                why: "an INVITE without credentials to \(self.options.outsideNumber) got \(facts["guest-call"] ?? ""): anyone on the internet can call out at your cost",
                fix: "refuse calls without credentials (Asterisk: allowguest=no, no anonymous endpoint; FreeSWITCH: auth-calls=true)"))
        }
        let answerSDP = ([guest.final] + guest.provisional.reversed()).compactMap { $0 }.first { !$0.bodyBytes.isEmpty }
        if let answerSDP {
            let text = String(decoding: answerSDP.bodyBytes, as: UTF8.self)
            facts["srtp"] = text.contains("a=crypto:") || text.contains("RTP/SAVP") ? "taken" : "refused"
            if facts["srtp"] == "refused" {
                findings.append(AuditFinding(check: "no-srtp", severity: .medium, subject: subject,
                                             why: "an SRTP offer was answered with plain RTP: calls can be listened to",
                                             fix: "turn on SRTP (media_encryption=sdes with TLS)"))
            }
        } else {
            facts["srtp"] = "not determined (no call was answered)"
        }
        try await cleanUp(invite: invite, exchange: guest, probe: probe)

        // A reused nonce: judged again (403) instead of challenged again (401).
        progress("nonce reuse")
        let known = candidates.first { candidate in differing.contains { $0.0 == candidate && $0.1 == 401 } }
            ?? (randomAnswer == 401 ? candidates.first : nil)
        if let user = known {
            let first = try await probe.send(ProbeRequests.make(.register, user: user, probe: probe))
            if let challenge = first.final.flatMap(Self.challenge) {
                var statuses: [Int?] = []
                for count in 1...2 {
                    let attempt = try await register(user: user, password: ProbeRequests.token(), challenge: challenge, nonceCount: UInt32(count),
                                                     probe: probe)
                    statuses.append(attempt.final?.statusCode)
                }
                facts["nonce-reuse"] = statuses.map { $0.map(String.init) ?? "no answer" }.joined(separator: ", ")
                if statuses[1] == 403 || statuses[1] == 404 {
                    findings.append(AuditFinding(
                        check: "nonce-reuse", severity: .high, subject: subject,
                        why: "a second guess with the same nonce was judged (\(statuses[1] ?? 0)) instead of challenged again: svcrack --reusenonce guesses without a new challenge each time",
                        fix: "issue a new nonce per attempt and refuse a nonce already used"))
                }
            }
        }

        // Weak passwords, only when the operator says the system is theirs.
        if self.options.authorized {
            for user in self.options.extensions {
                progress("passwords of \(user)")
                for password in [user, user + user] + Self.weakPasswords {
                    let first = try await probe.send(ProbeRequests.make(.register, user: user, probe: probe))
                    guard let challenge = first.final.flatMap(Self.challenge) else { break }
                    let attempt = try await register(user: user, password: password, challenge: challenge, nonceCount: 1, probe: probe)
                    guard attempt.final?.statusCode == 200 else { continue }
                    findings.append(AuditFinding(
                        check: "weak-password-accepted", severity: .critical, subject: "\(subject) extension \(user)",
                        why: password == user ? "extension \(user) accepts its own number as its password"
                            : "extension \(user) accepts a password from the short list every guessing tool starts with",
                        fix: "give it a random password of at least 16 characters"))
                    // Take the registration back.
                    _ = try await register(user: user, password: password, challenge: challenge, nonceCount: 2, probe: probe, expires: 0)
                    break
                }
            }
        }

        // TLS and the management services.
        progress("TLS")
        if let tls = await TLSProbe.probe(host: self.options.host, port: self.options.tlsPort, timeout: self.options.timeout) {
            facts["tls"] = "\(tls.version ?? "?") on \(self.options.tlsPort), certificate \(tls.subject ?? "?")"
                + (tls.notAfter.map { " valid until \(ISO8601DateFormatter().string(from: $0))" } ?? "")
            if !tls.trusted {
                findings.append(AuditFinding(check: "tls-certificate-untrusted", severity: .medium, subject: "\(self.options.host):\(self.options.tlsPort)",
                                             why: "the TLS certificate does not chain to a trusted authority: phones cannot tell it from an impostor's",
                                             fix: "use a certificate from a CA the phones trust"))
            }
            if let notAfter = tls.notAfter, notAfter < Date().addingTimeInterval(30 * 86_400) {
                findings.append(AuditFinding(check: "tls-certificate-expiring", severity: notAfter < Date() ? .high : .medium,
                                             subject: "\(self.options.host):\(self.options.tlsPort)",
                                             why: "the TLS certificate \(notAfter < Date() ? "expired" : "expires") on \(ISO8601DateFormatter().string(from: notAfter))",
                                             fix: "renew it (and automate the renewal)"))
            }
            if tls.acceptsWeakCiphers {
                findings.append(AuditFinding(check: "weak-tls-ciphers", severity: .medium, subject: "\(self.options.host):\(self.options.tlsPort)",
                                             why: "ciphers without forward secrecy (RSA key exchange) or 3DES are accepted: a stolen key decrypts recorded calls",
                                             fix: "accept ECDHE suites with AES-GCM or ChaCha20 only"))
            }
            if tls.acceptsOldVersions {
                findings.append(AuditFinding(check: "old-tls-versions", severity: .medium, subject: "\(self.options.host):\(self.options.tlsPort)",
                                             why: "TLS 1.0 or 1.1 is still accepted", fix: "accept TLS 1.2 and 1.3 only"))
            }
        } else {
            facts["tls"] = "not offered on \(self.options.tlsPort)"
            findings.append(AuditFinding(check: "no-tls", severity: .medium, subject: "\(self.options.host):\(self.options.tlsPort)",
                                         why: "no TLS on port \(self.options.tlsPort): SIP signalling (and SRTP keys) travel in clear",
                                         fix: "offer SIP over TLS and move phones and trunks to it"))
        }
        if self.options.checkManagementPorts {
            progress("management services")
            var open: [String] = []
            for service in PortProbe.services where await PortProbe.tcpOpen(host: self.options.host, port: service.port, timeout: self.options.timeout) {
                open.append("\(service.port)/tcp \(service.name)")
                findings.append(AuditFinding(check: "management-service", severity: service.severity, subject: "\(self.options.host):\(service.port)",
                                             why: "\(service.name) answers: \(service.why)",
                                             fix: "close it, or let only the management network reach it (tollgate firewall nftables)"))
            }
            if await PortProbe.tftpAnswers(host: self.options.host, timeout: self.options.timeout) {
                open.append("69/udp TFTP")
                findings.append(AuditFinding(check: "management-service", severity: .high, subject: "\(self.options.host):69",
                                             why: "TFTP answers: phones' configuration files (with their SIP passwords) can be fetched by anyone who guesses a name",
                                             fix: "provision over HTTPS with per-device credentials, and close TFTP"))
            }
            facts["open-ports"] = open.isEmpty ? "none of \(PortProbe.services.map { String($0.port) }.joined(separator: ", ")), 69/udp" : open.joined(separator: ", ")
        }
        return Report(host: subject, findings: findings.sorted { $0.severity > $1.severity }, facts: facts)
    }

    /// The Digest challenge of a 401 or 407.
    static func challenge(_ response: SIPMessage) -> SIPAuthorization? {
        let header: SIPHeaderName = response.statusCode == 407 ? .proxyAuthenticate : .wwwAuthenticate
        guard response.statusCode == 401 || response.statusCode == 407 else { return nil }
        return response.values(of: header).compactMap { try? SIPAuthorization(parsing: $0, header: header) }.first { $0.isDigest }
    }

    private func register(user: String, password: String, challenge: SIPAuthorization, nonceCount: UInt32, probe: SIPProbe,
                          expires: Int? = nil) async throws -> SIPProbe.Exchange {
        let uri = "sip:\(probe.targetHostPort)"
        guard let credentials = try? SIPDigest.credentials(answering: challenge, method: "REGISTER", uri: uri, username: user, password: password,
                                                           cnonce: ProbeRequests.token(), nonceCount: nonceCount) else {
            return SIPProbe.Exchange(provisional: [], final: nil)
        }
        var request = ProbeRequests.make(.register, user: user, probe: probe, cseq: Int(nonceCount) + 1,
                                         extraHeaders: [(.authorization, credentials.description)])
        if let expires { request.setHeader(.expires, String(expires)) }
        return try await probe.send(request)
    }

    /// Ends what the guest call started: ACK and BYE an answered call, CANCEL one still ringing.
    private func cleanUp(invite: SIPMessage, exchange: SIPProbe.Exchange, probe: SIPProbe) async throws {
        guard let callID = invite.firstValue(of: .callID) else { return }
        if let final = exchange.final, let status = final.statusCode, (200..<300).contains(status), let to = final.firstValue(of: .to),
           let from = invite.firstValue(of: .from), let via = invite.firstValue(of: .via) {
            let ack = SIPMessage(method: .ack, uri: invite.requestURIText ?? "", headers: [
                (.via, via), (.maxForwards, "70"), (.from, from), (.to, to), (.callID, callID), (.cseq, "1 ACK"), (.contentLength, "0"),
            ])
            await probe.sendOnly(ack)
            var bye = SIPMessage(method: .bye, uri: invite.requestURIText ?? "", headers: [
                (.via, "SIP/2.0/UDP \(probe.localAddress):\(probe.localPort);branch=\(SIPVia.magicCookie)\(ProbeRequests.token(16))"),
                (.maxForwards, "70"), (.from, from), (.to, to), (.callID, callID), (.cseq, "2 BYE"), (.contentLength, "0"),
            ])
            bye.setHeader(.userAgent, ProbeRequests.userAgent)
            _ = try await probe.send(bye)
        } else if exchange.final == nil, !exchange.provisional.isEmpty, let via = invite.firstValue(of: .via), let from = invite.firstValue(of: .from),
                  let to = invite.firstValue(of: .to) {
            let cancel = SIPMessage(method: .cancel, uri: invite.requestURIText ?? "", headers: [
                (.via, via), (.maxForwards, "70"), (.from, from), (.to, to), (.callID, callID), (.cseq, "1 CANCEL"), (.contentLength, "0"),
            ])
            _ = try await probe.send(cancel)
        }
    }
}
