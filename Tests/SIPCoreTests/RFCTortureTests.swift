import Testing

@testable import SIPCore

/// RFC 4475 and RFC 5118: every verdict of the manifests, from the parser for syntax and from
/// `validate()` for what a proxy must refuse.
@Suite("RFC 4475 / RFC 5118 torture messages", .enabled(if: Corpora.available, "the shared SIP corpora are not here (../shared/corpora or $TOLLGATE_CORPORA); required under CI"))
struct RFCTortureTests {
    /// Messages that are well formed but that a proxy must not forward, with the status it answers.
    static let refusedByProxy: [String: Int] = [
        "valid/unkscm.sip": 416,  // §3.3.2 unknown Request-URI scheme
        "valid/novelsc.sip": 416,  // §3.3.3 atypical scheme that a SIP proxy does not route
        "valid/bext01.sip": 420,  // §3.3.5 unknown Proxy-Require option tags
        "valid/zeromf.sip": 483,  // §3.3.11 Max-Forwards 0
    ]

    /// The status RFC 4475 asks for where it names one other than 400.
    static let expectedStatus: [String: Set<Int>] = [
        "invalid/badvers.sip": [505],
        "invalid/mismatch02.sip": [501, 400],
    ]

    static func verdict(_ bytes: [UInt8]) -> (parsed: SIPMessage?, failure: (rule: String, status: Int)?) {
        do {
            let message = try SIPMessage(parsing: bytes)
            do {
                try message.validate()
                return (message, nil)
            } catch {
                return (message, (error.rule.rawValue, error.status))
            }
        } catch {
            return (nil, (error.rule, 400))
        }
    }

    @Test("RFC 4475 verdicts agree with the manifest", arguments: try Corpora.manifestIfAvailable("rfc4475"))
    func rfc4475(entry: Corpora.Entry) throws {
        let bytes = try Corpora.bytes("rfc4475", entry.file)
        let (parsed, failure) = Self.verdict(bytes)
        if entry.valid {
            #expect(parsed != nil, "a syntactically valid message must parse: \(String(describing: failure))")
            if let status = Self.refusedByProxy[entry.file] {
                #expect(failure?.status == status, "proxy must answer \(status)")
            } else {
                #expect(failure == nil, "a proxy must accept and forward this message")
            }
        } else {
            #expect(failure != nil, "an invalid message must be refused")
            if let statuses = Self.expectedStatus[entry.file], let failure {
                #expect(statuses.contains(failure.status))
            } else if let failure, parsed?.isRequest ?? true {
                #expect(failure.status == 400)
            }
        }
    }

    @Test("RFC 5118 verdicts agree with the manifest", arguments: try Corpora.manifestIfAvailable("rfc5118"))
    func rfc5118(entry: Corpora.Entry) throws {
        let bytes = try Corpora.bytes("rfc5118", entry.file)
        let (parsed, failure) = Self.verdict(bytes)
        if entry.valid {
            #expect(parsed != nil && failure == nil, "valid IPv6 message refused: \(String(describing: failure))")
        } else {
            #expect(failure != nil)
        }
    }

    @Test("the RFC 5118 archive bytes (LF line ends) give the same verdicts")
    func rfc5118ArchiveBytes() throws {
        for entry in try Corpora.manifest("rfc5118") {
            let name = entry.file.split(separator: "/").last!.replacingOccurrences(of: ".sip", with: "")
            guard let bytes = try? Corpora.bytes("rfc5118", "archive/\(name)") else { continue }
            let (_, failure) = Self.verdict(bytes)
            // Two archive copies lack the final empty line or carry a wrong Content-Length; those may fail.
            if !entry.valid { #expect(failure != nil, "\(name)") }
        }
    }

    @Test("torture messages round-trip through serialise and parse")
    func roundTrip() throws {
        for corpus in ["rfc4475", "rfc5118"] {
            for entry in try Corpora.manifest(corpus) {
                guard let message = try? SIPMessage(parsing: Corpora.bytes(corpus, entry.file)) else { continue }
                let again = try SIPMessage(parsing: message.serialized())
                #expect(again == message, "\(entry.file)")
                #expect(again.serialized() == message.serialized(), "\(entry.file)")
            }
        }
    }

    @Test("wsinv: folded, oddly spaced and compact headers read correctly")
    func wsinvTypedViews() throws {
        let message = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/wsinv.sip"))
        #expect(message.method == .invite)
        #expect(try message.to().tag == "1918181833n")
        #expect(try message.from().tag == "98asjd8")
        #expect(try message.from().displayName == "J Rosenberg \\\"")
        #expect(try message.maxForwards() == 68)
        #expect(try message.cseq() == SIPCSeq(sequence: 9, method: .invite))
        let vias = try message.vias()
        #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
        #expect(vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
        #expect(vias[2].branch == "z9hG4bK30239")
        #expect(message.firstValue(of: "NewFangledHeader") == "newfangled value continued newfangled value")
        #expect(message.firstValue(of: "UnknownHeaderWithUnusualValue") == ";;,,;;,;")
        #expect(message.values(of: "UnknownHeaderWithUnusualValue").count == 1)
        #expect(message.firstValue(of: .subject) == "")
        let contacts = try message.contacts()
        #expect(contacts.first?.address?.displayName == "Quoted string \"\"")
        #expect(contacts.first?.q == 0.33)
        #expect(try message.routes().first?.uri.isLooseRouter == true)
        #expect(message.bodyBytes.count == 150)
    }

    @Test("dblreq: octets after Content-Length in a datagram are ignored")
    func dblreq() throws {
        let message = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/dblreq.sip"))
        #expect(message.method == .register)
        #expect(message.bodyBytes.isEmpty)
    }

    @Test("esc02 and intmeth: '%' in methods and header names is not an escape")
    func percentIsNotAnEscape() throws {
        let esc02 = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/esc02.sip"))
        #expect(esc02.method == .other("RE%47IST%45R"))
        #expect(esc02.fieldCount(of: .contact) == 2)
        #expect(esc02.contains("C%6Fntact"))
        let intmeth = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/intmeth.sip"))
        #expect(intmeth.method == .other("!interesting-Method0123456789_*+`.%indeed'~"))
        #expect(try intmeth.cseq().method == intmeth.method)
    }

    @Test("semiuri: ';' before '@' belongs to the user part")
    func semicolonInUserPart() throws {
        let message = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/semiuri.sip"))
        let uri = try SIPURI(parsing: message.requestURIText ?? "")
        #expect(uri.unescapedUser == "user;par=u@example.net")
        #expect(uri.host == "example.com")
        #expect(uri.parameters.isEmpty)
    }

    @Test("cparam01/02: parameters outside <> belong to the header, inside to the URI")
    func contactParameters() throws {
        let outside = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/cparam01.sip")).contacts()
        #expect(outside.first?.address?.parameters.contains("unknownparam") == true)
        #expect(outside.first?.address?.uri.parameters.contains("unknownparam") == false)
        let inside = try SIPMessage(parsing: Corpora.bytes("rfc4475", "valid/cparam02.sip")).contacts()
        #expect(inside.first?.address?.uri.parameters.contains("unknownparam") == true)
    }

    @Test("RFC 5118: bracketed IPv6 hosts, ports and received parameters")
    func ipv6() throws {
        let ambiguous = try SIPMessage(parsing: Corpora.bytes("rfc5118", "valid/port-ambiguous.sip"))
        let uri = try SIPURI(parsing: ambiguous.requestURIText ?? "")
        #expect(uri.host == "[2001:db8::10:5070]")
        #expect(uri.port == nil)
        let unambiguous = try SIPURI(parsing: SIPMessage(parsing: Corpora.bytes("rfc5118", "valid/port-unambiguous.sip")).requestURIText ?? "")
        #expect(unambiguous.hostAddress == "2001:db8::10")
        #expect(unambiguous.port == 5070)
        let noDelimiter = try SIPMessage(parsing: Corpora.bytes("rfc5118", "valid/via-received-param-no-delim.sip")).topVia()
        #expect(noDelimiter?.received == "2001:db8::9:255")
        #expect(noDelimiter?.branch != nil)
    }
}
