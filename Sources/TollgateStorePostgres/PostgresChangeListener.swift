import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import PostgresNIO
import TollgateStore

/// The connection that hears other nodes' changes: `LISTEN tollgate_changes` on a connection of
/// its own (a pooled one may be handed to anyone), its notifications rung to every subscriber.
///
/// A notification is only a doorbell, its payload the kind of record that changed; what changed is
/// read from the tables (for bans, every record with a revision above the one the reader saw). A
/// notification sent while this connection was down is lost, so each (re)connection rings every
/// kind once: the readers catch up on whatever they missed.
final class PostgresChangeListener: Sendable {
    /// The channel every write that others must hear of notifies.
    static let channel = "tollgate_changes"

    private let subscribers = NIOLockedValueBox<[UUID: AsyncStream<StoreChange>.Continuation]>([:])
    private let connections = Counter(label: "tollgate_store_listen_connections_total")

    /// A new subscriber's stream; it ends when the listener stops.
    func stream() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreChange.self, bufferingPolicy: .bufferingNewest(StoreChange.allCases.count))
        let id = UUID()
        subscribers.withLockedValue { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLockedValue { $0.removeValue(forKey: id) }
        }
        return stream
    }

    func ring(_ change: StoreChange) {
        for continuation in subscribers.withLockedValue({ Array($0.values) }) { continuation.yield(change) }
    }

    /// Listens until the task is cancelled, reconnecting after a drop (0.5 s, doubling to 5 s);
    /// then ends every subscriber's stream.
    func run(configuration: PostgresConnection.Configuration, logger: Logger) async {
        var delay = Duration.milliseconds(500)
        var id = 1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
                id += 1
                // Closed however listening ends (a dropped connection throws): a connection must be closed before it goes.
                let ended: Result<Void, any Error>
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: Self.channel) { notifications in
                            connections.increment()
                            delay = .milliseconds(500)
                            for change in StoreChange.allCases { ring(change) }
                            for try await notification in notifications {
                                if let change = StoreChange(rawValue: notification.payload) { ring(change) }
                            }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                    ended = .success(())
                } catch {
                    ended = .failure(error)
                }
                try? await connection.close()
                try ended.get()
                if !Task.isCancelled { logger.warning("the connection that hears other nodes' changes ended; reconnecting") }
            } catch {
                if Task.isCancelled { break }
                logger.warning("the connection that hears other nodes' changes failed; reconnecting",
                               metadata: ["error": "\(StoreError(postgres: error))", "retry_in": "\(delay)"])
            }
            do { try await Task.sleep(for: delay) } catch { break }
            delay = min(delay * 2, .seconds(5))
        }
        for continuation in subscribers.withLockedValue({ Array($0.values) }) { continuation.finish() }
    }
}
