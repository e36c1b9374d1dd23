import NIOCore
import TollgateModel

/// CDR accounting as a call hook, added after every other: when a call ends, its finished record
/// is made durable (the final answer that ended the call waits for it), and published on
/// the event stream as ``GatewayActivity/callEnded(_:)``.
public final class CallRecordingHook: CallHook, @unchecked Sendable {
    public let name = "cdr"
    private let events: GatewayEventEmitter
    private let durable: (CallDetailRecord) -> EventLoopFuture<Void>?

    /// - Parameter durable: Makes a record durable; returns what the final answer waits for, or
    ///   `nil` when it already is (the CDR journal took it) or is not kept.
    public init(events: GatewayEventEmitter, durable: @escaping (CallDetailRecord) -> EventLoopFuture<Void>?) {
        self.events = events
        self.durable = durable
    }

    /// Made durable by a ``CallRecordWriter`` on `eventLoop`.
    public convenience init(events: GatewayEventEmitter, writer: CallRecordWriter, on eventLoop: EventLoop) {
        self.init(events: events, durable: { writer.durable($0, on: eventLoop) })
    }

    public func callEnds(_ end: CallEnd, record: inout CallDetailRecord) -> EventLoopFuture<Void>? {
        let wait = durable(record)
        events.publish(.callEnded(record))
        return wait
    }
}
