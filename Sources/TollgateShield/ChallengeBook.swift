import Foundation
import SIPCore

/// The challenges the PBX sends, remembered per method class (REGISTER and the rest), so that
/// Tollgate can answer a request for an unknown user with a challenge that looks exactly like the
/// PBX's own: same status, header, realm, algorithm, qop and extra headers, and a nonce of the same
/// shape. Then "unknown user" and "wrong password" cannot be told apart from outside.
struct ChallengeBook: Sendable {
    struct Template: Sendable, Hashable {
        var status: Int
        var reason: String
        var header: SIPHeaderName
        /// The PBX's challenge's headers in order, but for the ones a response copies from its
        /// request; the challenge header itself is among them.
        var fields: [SIPHeaderField]
    }

    private var register: Template?
    private var other: Template?

    /// Learns from a 401 or 407 the PBX sent.
    mutating func learn(_ response: SIPMessage, status: Int, method: SIPMethod) {
        let header: SIPHeaderName = status == 407 ? .proxyAuthenticate : .wwwAuthenticate
        guard let value = response.firstValue(of: header), let challenge = try? SIPAuthorization(parsing: value, header: header),
              challenge.isDigest, !challenge.stale
        else { return }
        let copied: Set<SIPHeaderName> = [.via, .from, .to, .callID, .cseq, .contentLength]
        let fields = response.headerFields.filter { !copied.contains($0.name) }
        let template = Template(status: status, reason: response.reasonPhrase ?? SIPStatus.reasonPhrase(for: status), header: header,
                                fields: fields)
        if method == .register { register = template } else { other = template }
    }

    /// The template for a method, if one was learnt.
    func template(for method: SIPMethod) -> Template? { method == .register ? register ?? other : other ?? register }

    /// A challenge answer to `request` in the shape of the learnt one (or a plain Digest MD5 one in
    /// `realm` when none was learnt), with a fresh nonce and opaque of the same shape.
    func fakeChallenge(to request: SIPMessage, toTag: String?, realm: String, now: Double) -> SIPMessage {
        guard let method = request.method, let template = template(for: method) else {
            var answer = request.makeResponse(status: 401, reason: "Unauthorized", toTag: toTag)
            let nonce = "\(Int(now))/" + Self.reshaped(String(repeating: "a", count: 32), now: now)
            answer.insertHeader(.wwwAuthenticate, "Digest realm=\"\(realm)\", nonce=\"\(nonce)\", algorithm=MD5, qop=\"auth\"",
                                at: answer.headerCount - 1)
            return answer
        }
        var answer = request.makeResponse(status: template.status, reason: template.reason, toTag: toTag)
        // The PBX's headers in the PBX's order, each challenge with fresh values in its place.
        for field in template.fields {
            var value = field.value
            if field.name == template.header, var challenge = try? SIPAuthorization(parsing: value, header: template.header) {
                challenge.parameters = challenge.parameters.map { Self.refreshed($0, now: now) }
                value = challenge.description
            } else if field.name == SIPHeaderName("Date") {
                value = Self.httpDate(now)
            }
            answer.insertHeader(field.name, value, at: answer.headerCount - 1)
        }
        return answer
    }

    /// A nonce or opaque parameter with a new value of the same shape; others as they are.
    static func refreshed(_ parameter: SIPParameters.Parameter, now: Double) -> SIPParameters.Parameter {
        let name = parameter.name.lowercased()
        guard name == "nonce" || name == "opaque", let value = parameter.value else { return parameter }
        let quoted = value.hasPrefix("\"")
        let bare = quoted ? String(value.dropFirst().dropLast()) : value
        let fresh = reshaped(bare, now: now)
        return SIPParameters.Parameter(name: parameter.name, value: quoted ? "\"\(fresh)\"" : fresh)
    }

    /// Random text of the same shape: each run of letters and digits is replaced by random
    /// characters of its class — hexadecimal (in its case), decimal, or alphanumeric — and every
    /// other character is kept, so `1732460000/8a7f3c…` stays a timestamp, a slash and hex. A run of
    /// ten digits that reads as a Unix time within a year of `now` becomes `now` (as the PBX's would).
    static func reshaped(_ text: String, now: Double) -> String {
        var output = ""
        var run: [Character] = []
        func flush() {
            guard !run.isEmpty else { return }
            if run.count == 10, run.allSatisfy(\.isASCIIDigit), let value = Double(String(run)), abs(value - now) < 31_536_000 {
                output += String(Int(now))
                run.removeAll()
                return
            }
            let pool: [Character]
            if run.allSatisfy(\.isASCIIDigit) {
                pool = Array("0123456789")
            } else if run.allSatisfy(\.isHexDigit) {
                pool = run.contains(where: \.isUppercase) ? Array("0123456789ABCDEF") : Array("0123456789abcdef")
            } else {
                pool = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            }
            for _ in run { output.append(pool.randomElement() ?? "0") }
            run.removeAll()
        }
        for character in text {
            if character.isASCII, character.isLetter || character.isNumber {
                run.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}

extension ChallengeBook {
    /// An RFC 7231 date (`Sun, 06 Nov 1994 08:49:37 GMT`), as SIP's Date header carries it.
    static func httpDate(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
