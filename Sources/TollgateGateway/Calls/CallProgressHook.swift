import Foundation
import NIOCore
import TollgateModel

/// Keeps the ``CallProgressJournal`` as a call hook, added after CDR accounting: each call's start
/// (its record as the hooks before filled it in), its answer and its end go to the file, and a
/// heartbeat while calls are up, so a gateway killed mid-call leaves a record of what it carried.
final class CallProgressHook: CallHook {
    let name = "progress"
    private let journal: CallProgressJournal
    private let events: GatewayEventEmitter
    private let eventLoop: EventLoop?
    private var reported = false
    private var flushQueued = false

    /// - Parameter eventLoop: The loop the hook is told on. With one, the lines of a turn of the
    ///   loop are written together once its messages are sent (a task queued behind the loop's
    ///   reads); without, each line is written at once.
    init(journal: CallProgressJournal, events: GatewayEventEmitter, eventLoop: EventLoop? = nil) {
        self.journal = journal
        self.events = events
        self.eventLoop = eventLoop
        journal.deferred = eventLoop != nil
    }

    func callBegins(_ call: inout CallStart, record: inout CallDetailRecord) -> CallHookVerdict {
        journal.began(call.key, record: record)
        written()
        return .proceed
    }

    func callAnswered(_ call: CallKey, at time: Date) {
        journal.answered(call, at: time)
        written()
    }

    func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? {
        journal.ended(end.key)
        written()
        return nil
    }

    func housekeeping(at time: Date) {
        journal.housekeeping(at: time)
        written()
    }

    /// Checks the file now, or once the lines waiting are written.
    private func written() {
        guard let eventLoop, journal.hasPending else {
            check()
            return
        }
        guard !flushQueued else { return }
        flushQueued = true
        eventLoop.assumeIsolatedUnsafeUnchecked().execute {
            self.flushQueued = false
            self.journal.flush()
            self.check()
        }
    }

    /// A disk that refuses the file is an event, once until it takes writes again.
    private func check() {
        if journal.failing, !reported {
            reported = true
            events.emit(.journal, address: "", rule: "call-progress-journal",
                        detail: "cannot write \(journal.path): calls in progress would leave no record if the gateway died", severity: .warning)
        } else if !journal.failing {
            reported = false
        }
    }
}
