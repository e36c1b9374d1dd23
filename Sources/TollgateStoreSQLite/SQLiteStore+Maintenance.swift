import Foundation
import Logging
import TollgateStore

extension SQLiteStore {
    /// `sqlite:PATH`.
    public var location: String { "sqlite:\(path)" }

    /// Beside the database file (`tollgate.db-cdr-journal.N`); `nil` for an in-memory store.
    public var callRecordJournalBase: String? { path == ":memory:" ? nil : path + "-cdr-journal" }

    /// A passive checkpoint between the writer's transactions: with no write in between it lets
    /// the WAL start over (see ``separateCheckpoints()``).
    public func betweenWrites() {
        _ = try? checkpointBlocking()
    }

    /// Takes the WAL checkpoints off the commits (``separateCheckpoints()``) and runs them four times
    /// a second beside the writes until cancelled, then once more. Commits then only append to the
    /// WAL, so no answer waiting for its CDR also waits for a checkpoint. Does nothing in memory.
    public func maintain() async {
        let logger = Logger(label: "tollgate.store")
        let checkpointer: SQLiteCheckpointer?
        do {
            checkpointer = try separateCheckpoints()
        } catch {
            logger.warning("automatic checkpoints stay on", metadata: ["error": "\(error)"])
            return
        }
        guard let checkpointer else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(250)) } catch { break }
            do { try await checkpointer.checkpoint() } catch { logger.debug("checkpoint failed", metadata: ["error": "\(error)"]) }
        }
        _ = try? await checkpointer.checkpoint()
    }
}
