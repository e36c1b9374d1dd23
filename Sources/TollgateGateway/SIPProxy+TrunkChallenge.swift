import NIOCore
import SIPCore
import SIPTransport

extension SIPProxy {
    /// Answers a trunk's 401 or 407 to a request from the PBX with the trunk's credentials, as
    /// Kamailio's `uac_auth()` does: the request goes again, unchanged but for a new branch and the
    /// Authorization (or Proxy-Authorization) value, with the same CSeq — a proxy must not change
    /// it, as the PBX's ACK, CANCEL and later requests use the original number. Once per request;
    /// a second challenge goes back to the PBX as usual.
    ///
    /// Returns whether the request was sent again (the challenge is then not relayed). It is not
    /// when the trunk has no credentials, the request came from outside, it already carries
    /// credentials of that kind (the PBX answers the challenge itself), or the challenge cannot
    /// be answered (another realm, an unsupported algorithm).
    func answerTrunkChallenge(_ response: SIPMessage, status: Int, client: ClientTransaction, server: ServerTransaction) -> Bool {
        guard server.zone == .internal, !server.answeredTrunkChallenge, !server.cancelled, server.finalStatus == nil,
            let name = client.target.trunk, let credentials = settings.trunks.first(where: { $0.name == name })?.credentials,
            var request = client.request, let method = request.method, method != .ack, method != .cancel,
            let (_, header) = TrunkDigest.headers(forStatus: status), !request.contains(header)
        else { return false }
        let answer: SIPAuthorization
        do {
            answer = try TrunkDigest.answer(TrunkDigest.challenges(in: response), credentials: credentials, method: method.token,
                                            uri: request.requestURIText ?? "", cnonce: makeCNonce())
        } catch {
            logger.warning("trunk challenge left to the PBX", metadata: ["trunk": "\(name)", "reason": "\(error)"])
            return false
        }
        request.removeFirstValue(of: .via)
        let branch = newBranch()
        request.insertHeader(.via, via(for: client.listener.flatMap(listenerSpec), transport: client.target.peer.transport, branch: branch), at: 0)
        let last = request.headerFields.last?.name == .contentLength ? request.headerCount - 1 : request.headerCount
        request.insertHeader(header, answer.description, at: last)
        server.answeredTrunkChallenge = true
        let retry = ClientTransaction(key: ClientTransactionKey(branch: branch, method: method), target: client.target, listener: client.listener,
                                      request: request, timers: transactionTimers, owner: .relay(server))
        server.client = retry
        logger.debug("answered the trunk's challenge", metadata: ["trunk": "\(name)", "method": "\(method.token)"])
        start(retry)
        return true
    }
}
