import ServiceLifecycle
import TollgateStore

/// Runs the store backend's own upkeep (SQLite: WAL checkpoints beside the writes) until the
/// gateway stops; among the last services to stop, so the final checkpoint follows the last write.
struct StoreMaintenanceService: Service {
    let store: any Store

    func run() async throws {
        let maintaining = Task { await store.maintain() }
        try? await gracefulShutdown()
        maintaining.cancel()
        await maintaining.value
    }
}
