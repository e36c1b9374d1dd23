import Foundation
import NIOCore
import SIPCore
import SIPTransport
import TollgateShield
import TollgateModel

extension SIPProxy {
    /// Whether Shield refuses the packet's source before it is parsed (banned or denied).
    @inline(__always)
    func shieldRefuses(_ source: SIPPeer) -> Bool {
        guard let shield, let address = IPAddress(source.address) else { return false }
        if shield.isRefused(address, now: clock()) {
            metrics.refused()
            return true
        }
        return false
    }

    /// Whether a TCP or TLS connection from `address` is refused before anything is read from it.
    public func refusesConnection(from address: SocketAddress) -> Bool {
        shieldRefuses(SIPPeer(transport: .tcp, address: address))
    }

    /// Shield's judgement of a parsed request from the external zone; `false` when it is dropped.
    func shieldAdmits(_ request: SIPMessage, from source: SIPPeer) -> Bool {
        guard let shield, let transport = IPAddress(source.address) else { return true }
        let address = shield.effectiveSource(transport, message: request)
        let now = clock()
        // Behind a trusted proxy the client's own ban is only known once its Via has been read.
        if address != transport, shield.isRefused(address, now: now) {
            metrics.refused()
            return false
        }
        let decision = shield.checkRequest(request, source: address, now: now)
        apply(decision, about: address)
        return decision.verdict == .pass
    }

    /// Tells Shield about a message from `source` that failed parsing or validation.
    func shieldNoteMalformed(from source: SIPPeer, message: SIPMessage?) {
        guard let shield, let transport = IPAddress(source.address) else { return }
        let address = message.map { shield.effectiveSource(transport, message: $0) } ?? transport
        apply(shield.noteMalformed(source: address, now: clock()), about: address)
    }

    /// Counts forged, replayed or foreign media packets from an outside source towards Shield's
    /// `media_abuse` ban. Must run on the event loop.
    public func shieldNoteMediaAbuse(from source: String?, packets: Int) {
        guard let shield, let source, let address = IPAddress(source) else { return }
        apply(shield.noteMediaAbuse(source: address, packets: packets, now: clock()), about: address)
    }

    /// Lets Shield learn from the PBX's answer to an external request, and gives the answer to send
    /// out instead when the PBX's would tell an unknown user from a known one.
    func shieldReviewAnswer(_ response: SIPMessage, server: ServerTransaction) -> SIPMessage? {
        guard let shield, server.zone == .external, let status = response.statusCode, status >= 200,
              let transport = IPAddress(server.source.address)
        else { return nil }
        let address = shield.effectiveSource(transport, message: server.request)
        let now = clock()
        apply(shield.observeResponse(response, status: status, to: server.request, source: address, now: now), about: address)
        return shield.concealedAnswer(response, status: status, to: server.request, source: address, now: now)
    }

    /// Emits a decision's findings as events and publishes its ban (the store writer keeps it).
    func apply(_ decision: ShieldDecision, about source: IPAddress) {
        for finding in decision.findings {
            emit(GatewayEvent.Kind(rawValue: finding.kind), address: source.description, rule: finding.rule, detail: finding.detail,
                 severity: finding.severity)
        }
        if let ban = decision.ban {
            metrics.banned()
            events.publish(.ban(Ban(ban)))
        }
    }
}
