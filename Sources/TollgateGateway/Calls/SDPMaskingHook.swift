import SIPCore

/// Topology hiding for the SDP of calls: every offer and answer that leaves towards the outside
/// names Tollgate's external address wherever it named an internal host (`o=`, `c=`, `a=rtcp`, …).
/// The proxy adds it when `topology_hiding.mask_sdp` is on.
final class SDPMaskingHook: CallHook {
    let name = "topology-hiding"
    private let hider: TopologyHider
    private let externalHost: String

    init(hider: TopologyHider, externalHost: String) {
        self.hider = hider
        self.externalHost = externalHost
    }

    func offer(_ offer: inout CallSDP) -> CallHookVerdict {
        mask(&offer)
        return .proceed
    }

    func answer(_ answer: inout CallSDP) { mask(&answer) }

    private func mask(_ sdp: inout CallSDP) {
        guard sdp.towards == .external, sdp.isSDP else { return }
        hider.maskBody(&sdp.message, externalHost: externalHost)
    }
}
