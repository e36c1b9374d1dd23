/// Which trunks are up, from call outcomes and OPTIONS probes (as Kamailio's dispatcher does):
/// a timeout, a 503 or a transport failure marks a trunk down at once; probes bring it back.
final class TrunkHealth {
    struct State {
        var up = true
        var consecutiveProbeFailures = 0
    }

    private(set) var states: [String: State]

    init(trunks: [String]) {
        states = Dictionary(uniqueKeysWithValues: trunks.map { ($0, State()) })
    }

    func isUp(_ trunk: String) -> Bool { states[trunk]?.up ?? false }

    /// A call or probe failed in a way that says the trunk is unusable. Returns true if it went down now.
    @discardableResult
    func markDown(_ trunk: String) -> Bool {
        guard states[trunk]?.up == true else { return false }
        states[trunk]?.up = false
        return true
    }

    /// A probe got no answer; the trunk goes down after `threshold` in a row. Returns true if it went down now.
    @discardableResult
    func probeFailed(_ trunk: String, threshold: Int) -> Bool {
        guard var state = states[trunk] else { return false }
        state.consecutiveProbeFailures += 1
        let wentDown = state.up && state.consecutiveProbeFailures >= threshold
        if wentDown { state.up = false }
        states[trunk] = state
        return wentDown
    }

    /// A probe or a call succeeded. Returns true if the trunk came back up now.
    @discardableResult
    func succeeded(_ trunk: String) -> Bool {
        guard var state = states[trunk] else { return false }
        let cameUp = !state.up
        state.up = true
        state.consecutiveProbeFailures = 0
        states[trunk] = state
        return cameUp
    }
}
