import TollgateStore

/// Runs `body` whenever the store rings for `change` (another node or a command changed such a
/// record), and at least every `interval` besides, since a doorbell may be missed or absent; until
/// the task is cancelled. Rings that come while `body` runs are taken as one.
func watchStore(_ store: any Store, for change: StoreChange, every interval: Duration, _ body: @Sendable () async -> Void) async {
    let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    await withTaskGroup(of: Void.self) { group in
        group.addTask {
            for await rung in store.changes() where rung == change { wake.yield() }
        }
        group.addTask {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                wake.yield()
            }
        }
        for await _ in wakeups {
            if Task.isCancelled { break }
            await body()
        }
        group.cancelAll()
    }
}
