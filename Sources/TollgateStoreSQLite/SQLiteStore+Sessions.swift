import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// A row of `sessions`, keyed by the SHA-256 of the session ID.
struct SessionRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "sessions"

    enum CodingKeys: String, CodingKey {
        case idHash = "id_hash"
        case user, stage
        case csrfToken = "csrf_token"
        case created
        case lastSeen = "last_seen"
        case source
        case userAgent = "user_agent"
    }

    var idHash: String
    var user: String
    var stage: String
    var csrfToken: String
    var created: Double
    var lastSeen: Double
    var source: String
    var userAgent: String

    var session: ConsoleSession? {
        guard let stage = ConsoleSession.Stage(rawValue: stage) else { return nil }
        return ConsoleSession(idHash: idHash, user: user, stage: stage, csrfToken: csrfToken, created: Date(timeIntervalSince1970: created),
                              lastSeen: Date(timeIntervalSince1970: lastSeen), source: source, userAgent: userAgent)
    }
}

/// A row of `api_tokens`.
struct APITokenRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "api_tokens"

    enum CodingKeys: String, CodingKey {
        case id, user, role
        case tokenHash = "token_hash"
        case created, expires
        case lastUsed = "last_used"
    }

    var id: String
    var user: String
    var role: String
    var tokenHash: String
    var created: Double
    var expires: Double
    var lastUsed: Double?

    var token: APIToken? {
        guard let role = ConsoleUser.Role(rawValue: role) else { return nil }
        return APIToken(id: id, user: user, role: role, tokenHash: tokenHash, created: Date(timeIntervalSince1970: created),
                        expires: Date(timeIntervalSince1970: expires), lastUsed: lastUsed.map(Date.init(timeIntervalSince1970:)))
    }
}

extension SQLiteStore {
    public func saveSession(_ session: ConsoleSession) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO sessions (id_hash, user, stage, csrf_token, created, last_seen, source, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id_hash) DO UPDATE SET user = excluded.user, stage = excluded.stage, csrf_token = excluded.csrf_token,
                    created = excluded.created, last_seen = excluded.last_seen, source = excluded.source, user_agent = excluded.user_agent
                """, arguments: [session.idHash, session.user.storableText, session.stage.rawValue, session.csrfToken,
                                 session.created.timeIntervalSince1970, session.lastSeen.timeIntervalSince1970, session.source.storableText,
                                 session.userAgent.storableText])
        }
    }

    public func session(idHash: String) async throws(StoreError) -> ConsoleSession? {
        try await read { db in try SessionRow.fetchOne(db, sql: "SELECT * FROM sessions WHERE id_hash = ?", arguments: [idHash]) }?.session
    }

    public func touchSession(idHash: String, at time: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE id_hash = ?", arguments: [time.timeIntervalSince1970, idHash])
        }
    }

    public func sessions(user: String) async throws(StoreError) -> [ConsoleSession] {
        try await read { db in
            try SessionRow.fetchAll(db, sql: "SELECT * FROM sessions WHERE user = ? ORDER BY created DESC", arguments: [user.storableText])
        }.compactMap(\.session)
    }

    public func removeSession(idHash: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [idHash])
            return db.changesCount > 0
        }
    }

    public func removeSessions(user: String) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user = ?", arguments: [user.storableText])
            return db.changesCount
        }
    }

    public func removeSessions(idleBefore: Date, createdBefore: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE last_seen < ? OR created < ?",
                           arguments: [idleBefore.timeIntervalSince1970, createdBefore.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func saveToken(_ token: APIToken) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO api_tokens (id, user, role, token_hash, created, expires, last_used) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET user = excluded.user, role = excluded.role, token_hash = excluded.token_hash,
                    created = excluded.created, expires = excluded.expires, last_used = excluded.last_used
                """, arguments: [token.id.storableText, token.user.storableText, token.role.rawValue, token.tokenHash,
                                 token.created.timeIntervalSince1970, token.expires.timeIntervalSince1970, token.lastUsed?.timeIntervalSince1970])
        }
    }

    public func token(hash: String) async throws(StoreError) -> APIToken? {
        try await read { db in try APITokenRow.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE token_hash = ?", arguments: [hash]) }?.token
    }

    public func tokens(user: String?) async throws(StoreError) -> [APIToken] {
        try await read { db in
            if let user {
                return try APITokenRow.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE user = ? ORDER BY created, id", arguments: [user.storableText])
            }
            return try APITokenRow.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY created, id")
        }.compactMap(\.token)
    }

    public func removeToken(id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE id = ?", arguments: [id.storableText])
            return db.changesCount > 0
        }
    }

    public func touchToken(id: String, at time: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE api_tokens SET last_used = ? WHERE id = ?", arguments: [time.timeIntervalSince1970, id.storableText])
        }
    }
}
