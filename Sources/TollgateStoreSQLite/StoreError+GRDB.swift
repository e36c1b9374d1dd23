import GRDB
import TollgateModel
import TollgateStore

extension StoreError {
    /// Maps an error from GRDB (or from a closure run inside a transaction) to a store error.
    init(_ error: any Error) {
        switch error {
        case let error as StoreError: self = error
        case is CancellationError: self = .databaseError("the operation was cancelled")
        default: self = .databaseError(Self.reason(error))
        }
    }

    /// A one-line reason for an error: SQLite's own message and result code where there is one.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as DatabaseError:
            let code = error.extendedResultCode
            return "\(error.message ?? "SQLite error") (SQLite code \(code.rawValue))"
        case let error as StoreError:
            return error.description
        default:
            return String(describing: error)
        }
    }
}
