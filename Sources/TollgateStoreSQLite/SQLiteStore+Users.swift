import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// A row of `users`, keyed by name.
struct UserRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "users"

    enum CodingKeys: String, CodingKey {
        case name, role
        case passwordHash = "password_hash"
        case totpSecret = "totp_secret"
        case totpLastStep = "totp_last_step"
        case enrolmentTokenHash = "enrolment_token_hash"
        case enrolmentExpires = "enrolment_expires"
        case created
    }

    var name: String
    var role: String
    var passwordHash: String?
    var totpSecret: String?
    var totpLastStep: Int64?
    var enrolmentTokenHash: String?
    var enrolmentExpires: Double?
    var created: Double

    var user: ConsoleUser? {
        guard let role = ConsoleUser.Role(rawValue: role) else { return nil }
        return ConsoleUser(name: name, role: role, passwordHash: passwordHash, totpSecret: totpSecret, totpLastStep: totpLastStep,
                           enrolmentTokenHash: enrolmentTokenHash, enrolmentExpires: enrolmentExpires.map(Date.init(timeIntervalSince1970:)),
                           created: Date(timeIntervalSince1970: created))
    }
}

extension SQLiteStore {
    public func saveUser(_ user: ConsoleUser) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO users (name, role, password_hash, totp_secret, totp_last_step, enrolment_token_hash, enrolment_expires, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                    totp_secret = excluded.totp_secret, totp_last_step = excluded.totp_last_step,
                    enrolment_token_hash = excluded.enrolment_token_hash, enrolment_expires = excluded.enrolment_expires
                """, arguments: [user.name.storableText, user.role.rawValue, user.passwordHash, user.totpSecret, user.totpLastStep,
                                 user.enrolmentTokenHash, user.enrolmentExpires?.timeIntervalSince1970, user.created.timeIntervalSince1970])
        }
    }

    public func user(named name: String) async throws(StoreError) -> ConsoleUser? {
        try await read { db in try UserRow.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name.storableText]) }?.user
    }

    public func users() async throws(StoreError) -> [ConsoleUser] {
        try await read { db in try UserRow.fetchAll(db, sql: "SELECT * FROM users ORDER BY name") }.compactMap(\.user)
    }

    public func removeUser(named name: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name.storableText])
            return db.changesCount > 0
        }
    }
}

extension SQLiteStore {
    public func claimTOTPStep(user name: String, step: Int64) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE users SET totp_last_step = ? WHERE name = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
                           arguments: [step, name.storableText, step])
            return db.changesCount > 0
        }
    }
}
