import NIOCore
import Testing

@testable import TollgateGateway

@Suite("Server transaction state machine (RFC 3261 §17.2)")
struct ServerTransactionMachineTests {
    static let timers = TransactionTimers(t1: .milliseconds(500), t2: .seconds(4), t4: .seconds(5), linger: .seconds(8))

    @Test("INVITE over UDP, 486: timer G resends from T1 doubling to T2, timer H at 64·T1; the ACK confirms and absorbs for T4")
    func inviteFailureOverUDP() {
        var machine = ServerTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        #expect(machine.finalSent(status: 486) == [.cancel(.end), .start(.retransmit, after: .milliseconds(500)), .start(.end, after: .seconds(32))])
        #expect(machine.state == .completed)
        var intervals: [TimeAmount] = []
        for _ in 0..<5 {
            let actions = machine.timerFired(.retransmit)
            #expect(actions.first == .resend)
            if case .start(.retransmit, let after) = actions.last { intervals.append(after) }
        }
        #expect(intervals == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        #expect(machine.ackReceived() == [.cancel(.retransmit), .start(.end, after: .seconds(5))])
        #expect(machine.state == .confirmed)
        #expect(machine.timerFired(.retransmit).isEmpty, "nothing is resent once confirmed")
        #expect(machine.ackReceived().isEmpty, "a retransmitted ACK is absorbed")
        #expect(machine.timerFired(.end) == [.cancel(.retransmit), .terminate])
        #expect(machine.state == .terminated)
    }

    @Test("INVITE over TCP, 486: nothing is resent; the ACK ends it at once")
    func inviteFailureOverTCP() {
        var machine = ServerTransactionMachine(isInvite: true, reliable: true, timers: Self.timers)
        #expect(machine.finalSent(status: 486) == [.cancel(.end), .start(.end, after: .seconds(32))])
        #expect(machine.ackReceived() == [.cancel(.retransmit), .cancel(.end), .terminate])
    }

    @Test("no ACK: timer H ends the transaction")
    func timerH() {
        var machine = ServerTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        _ = machine.finalSent(status: 503)
        #expect(machine.timerFired(.end) == [.cancel(.retransmit), .terminate])
        #expect(machine.timerFired(.end).isEmpty)
    }

    @Test("INVITE 2xx: accepted for the linger time (timer L); retransmitted INVITEs get the 2xx again")
    func inviteSuccess() {
        var machine = ServerTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        #expect(machine.requestRetransmitted(hasResponse: true) == [.resend], "the 100 Trying answers a retransmission")
        #expect(machine.finalSent(status: 200) == [.cancel(.end), .start(.end, after: .seconds(8))])
        #expect(machine.state == .accepted)
        #expect(machine.requestRetransmitted(hasResponse: true) == [.resend])
        #expect(machine.ackReceived().isEmpty, "the ACK of a 2xx is end to end, not this transaction's")
        #expect(machine.finalSent(status: 486).isEmpty, "only the first final answer counts")
    }

    @Test("non-INVITE: over UDP it lingers (timer J), over TCP it ends with its final answer", arguments: [false, true])
    func nonInvite(reliable: Bool) {
        var machine = ServerTransactionMachine(isInvite: false, reliable: reliable, timers: Self.timers)
        let actions = machine.finalSent(status: 200)
        if reliable {
            #expect(actions == [.cancel(.end), .terminate])
            #expect(machine.state == .terminated)
        } else {
            #expect(actions == [.cancel(.end), .start(.end, after: .seconds(8))])
            #expect(machine.state == .accepted)
        }
    }

    @Test("a held final answer is not resent, by retransmission or timer G, until released")
    func heldFinal() {
        var machine = ServerTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        machine.holdFinal()
        _ = machine.finalSent(status: 486)
        #expect(machine.requestRetransmitted(hasResponse: true).isEmpty)
        #expect(machine.timerFired(.retransmit) == [.start(.retransmit, after: .seconds(1))])
        machine.releaseFinal()
        #expect(machine.requestRetransmitted(hasResponse: true) == [.resend])
        #expect(machine.timerFired(.retransmit).first == .resend)
    }
}

@Suite("Client transaction state machine (RFC 3261 §17.1, RFC 6026)")
struct ClientTransactionMachineTests {
    static let timers = ServerTransactionMachineTests.timers

    static func retransmitIntervals(_ machine: inout ClientTransactionMachine, count: Int) -> [TimeAmount] {
        (0..<count).compactMap { _ in
            let actions = machine.timerFired(.retransmit)
            guard actions.first == .resend, case .start(.retransmit, let after) = actions.last else { return nil }
            return after
        }
    }

    @Test("INVITE over UDP: timer A doubles without a cap while calling, a 1xx stops it, timer B waits 64·T1")
    func inviteRetransmission() {
        var machine = ClientTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        #expect(machine.start() == [.start(.retransmit, after: .milliseconds(500)), .start(.end, after: .seconds(32))])
        #expect(Self.retransmitIntervals(&machine, count: 5) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)])
        let (kind, actions) = machine.received(status: 180)
        #expect(kind == .provisional && actions == [.cancel(.retransmit)])
        #expect(machine.timerFired(.retransmit).isEmpty, "no INVITE retransmission once proceeding")
        #expect(machine.answeredProvisionally)
    }

    @Test("non-INVITE over UDP: timer E caps at T2 and goes on while proceeding; the final answer lingers T4 (timer K)")
    func nonInviteRetransmission() {
        var machine = ClientTransactionMachine(isInvite: false, reliable: false, timers: Self.timers)
        _ = machine.start()
        #expect(Self.retransmitIntervals(&machine, count: 5) == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        #expect(machine.received(status: 100).0 == .provisional)
        #expect(machine.timerFired(.retransmit).first == .resend)
        let (kind, actions) = machine.received(status: 200)
        #expect(kind == .final && actions == [.cancel(.retransmit), .cancel(.end), .start(.end, after: .seconds(5))])
        #expect(machine.received(status: 200).0 == .retransmission)
    }

    @Test("over TCP nothing is resent and a non-INVITE's final answer ends it")
    func reliable() {
        var machine = ClientTransactionMachine(isInvite: false, reliable: true, timers: Self.timers)
        #expect(machine.start(timeout: .seconds(2)) == [.start(.end, after: .seconds(2))])
        #expect(machine.received(status: 200).1 == [.cancel(.retransmit), .cancel(.end), .remove])
    }

    @Test("INVITE 2xx: accepted for timer L; retransmitted 2xx are reported for end-to-end forwarding")
    func inviteAccepted() {
        var machine = ClientTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        _ = machine.start()
        #expect(machine.received(status: 200) == (.final, [.cancel(.retransmit), .cancel(.end), .start(.end, after: .seconds(8))]))
        #expect(machine.state == .accepted)
        #expect(machine.received(status: 200) == (.retransmission, []))
        #expect(machine.timerFired(.end) == [.cancel(.retransmit), .remove], "an ended transaction does not time out")
    }

    @Test("INVITE failure: ACKed here, the ACK repeated for each retransmitted failure, lingering for timer D over UDP only",
          arguments: [false, true])
    func inviteFailure(reliable: Bool) {
        var machine = ClientTransactionMachine(isInvite: true, reliable: reliable, timers: Self.timers)
        _ = machine.start()
        let (kind, actions) = machine.received(status: 486)
        #expect(kind == .final)
        #expect(actions == [.cancel(.retransmit), .cancel(.end), .acknowledge] + (reliable ? [.remove] : [.start(.end, after: .seconds(8))]))
        #expect(machine.received(status: 486) == (.retransmission, [.resendACK]))
    }

    @Test("no final answer in time: timed out; an extension gives a proceeding INVITE longer")
    func timeout() {
        var machine = ClientTransactionMachine(isInvite: true, reliable: false, timers: Self.timers)
        _ = machine.start(timeout: .seconds(2))
        _ = machine.received(status: 180)
        #expect(machine.extendTimeout(by: .seconds(30)) == [.start(.end, after: .seconds(30))])
        #expect(machine.timerFired(.end) == [.cancel(.retransmit), .remove, .timedOut])
        #expect(machine.received(status: 200).0 == .ignored)
        #expect(machine.extendTimeout(by: .seconds(1)).isEmpty)
    }

    @Test("terminate ends it whatever its state")
    func terminate() {
        var machine = ClientTransactionMachine(isInvite: false, reliable: false, timers: Self.timers)
        _ = machine.start()
        #expect(machine.terminate() == [.cancel(.retransmit), .cancel(.end), .remove])
        #expect(machine.received(status: 200).0 == .ignored)
    }
}
