/// Runs `body`, failing with ``StoreError/databaseError(_:)`` when it takes longer than `limit`:
/// a store that does not answer (a database server away) must not hold up whoever asked. A
/// ``StoreError`` thrown by `body` comes through as it is; any other error as its description.
public func withStoreDeadline<Value: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Value)
    async throws(StoreError) -> Value
{
    do {
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StoreError.databaseError("no answer from the store within \(limit)")
            }
            return value
        }
    } catch let error as StoreError {
        throw error
    } catch {
        throw StoreError.databaseError("\(error)")
    }
}

extension Duration {
    /// A duration of `seconds` (a configuration's number), to the millisecond.
    public static func seconds(fraction seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
