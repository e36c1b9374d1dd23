import Foundation
import PostgresNIO
import TollgateStore

/// SQL built a clause at a time, each value bound as a parameter (`$1`, `$2`, …), never spliced.
struct PostgresStatement: Sendable {
    private(set) var sql: String
    private(set) var binds = PostgresBindings()

    init(_ sql: String = "") {
        self.sql = sql
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds `value`, or NULL, and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func append(_ text: String) {
        sql += text
    }

    var query: PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}

/// The cells of one row read left to right, each decoded to the type asked for.
struct PostgresCells {
    private let row: PostgresRandomAccessRow
    private var index = 0

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    mutating func next<Value: PostgresDecodable>(_: Value.Type = Value.self) throws -> Value {
        defer { index += 1 }
        return try row[index].decode(Value.self)
    }

    /// The next cell, a time kept as Unix seconds.
    mutating func date() throws -> Date {
        Date(timeIntervalSince1970: try next(Double.self))
    }

    /// The next cell, a time kept as Unix seconds, or NULL.
    mutating func optionalDate() throws -> Date? {
        try next(Double?.self).map(Date.init(timeIntervalSince1970:))
    }
}

extension StoreError {
    /// A PostgreSQL failure in words an operator can act on: the server's message and SQLSTATE when
    /// it sent one, else what went wrong on the connection. Never the password or the bound values.
    init(postgres error: any Error) {
        if let error = error as? StoreError {
            self = error
        } else if let error = error as? PostgresTransactionError {
            // The first thing that went wrong: BEGIN, the work inside, or COMMIT.
            let cause: (any Error)? = error.beginError ?? error.closureError ?? error.commitError
            self = cause.map { StoreError(postgres: $0) } ?? .databaseError("PostgreSQL: the transaction failed")
        } else if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                self = .databaseError("PostgreSQL: \(message)\(state)")
            } else if let underlying = error.underlying {
                self = .databaseError("PostgreSQL connection: \(underlying)")
            } else {
                self = .databaseError("PostgreSQL: \(error.code)")
            }
        } else {
            self = .databaseError("PostgreSQL: \(error)")
        }
    }
}
