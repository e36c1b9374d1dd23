import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

/// Console users, sessions, API tokens, "divert now" and alarm acknowledgements.
extension PostgresStore {
    // MARK: - Users

    static let userColumns = "name, role, password_hash, totp_secret, totp_last_step, enrolment_token_hash, enrolment_expires, created"

    static func user(_ cells: inout PostgresCells) throws -> ConsoleUser? {
        let name = try cells.next(String.self), role = try cells.next(String.self)
        guard let role = ConsoleUser.Role(rawValue: role) else { return nil }
        return ConsoleUser(name: name, role: role, passwordHash: try cells.next(), totpSecret: try cells.next(), totpLastStep: try cells.next(),
                           enrolmentTokenHash: try cells.next(), enrolmentExpires: try cells.optionalDate(), created: try cells.date())
    }

    public func saveUser(_ user: ConsoleUser) async throws(StoreError) {
        var statement = PostgresStatement("INSERT INTO users (\(Self.userColumns)) VALUES (")
        statement.append([
            statement.bind(user.name.storableText), statement.bind(user.role.rawValue), statement.bind(user.passwordHash),
            statement.bind(user.totpSecret), statement.bind(user.totpLastStep), statement.bind(user.enrolmentTokenHash),
            statement.bind(user.enrolmentExpires?.timeIntervalSince1970), statement.bind(user.created.timeIntervalSince1970),
        ].joined(separator: ", "))
        statement.append("""
            ) ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
                totp_secret = excluded.totp_secret, totp_last_step = excluded.totp_last_step,
                enrolment_token_hash = excluded.enrolment_token_hash, enrolment_expires = excluded.enrolment_expires
            """)
        try await execute(statement)
    }

    public func user(named name: String) async throws(StoreError) -> ConsoleUser? {
        var statement = PostgresStatement("SELECT \(Self.userColumns) FROM users WHERE name = ")
        statement.append(statement.bind(name.storableText))
        return try await rows(statement, Self.user).first ?? nil
    }

    public func users() async throws(StoreError) -> [ConsoleUser] {
        try await rows("SELECT \(Self.userColumns) FROM users ORDER BY name", Self.user).compactMap { $0 }
    }

    public func removeUser(named name: String) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("DELETE FROM users WHERE name = ")
        statement.append(statement.bind(name.storableText) + " RETURNING 1")
        return try await execute(statement) > 0
    }

    public func claimTOTPStep(user name: String, step: Int64) async throws(StoreError) -> Bool {
        // One conditional update: of two connections claiming the same step, exactly one changes the row.
        var statement = PostgresStatement()
        let placeholder = statement.bind(step)
        statement.append("UPDATE users SET totp_last_step = \(placeholder) WHERE name = \(statement.bind(name.storableText)) ")
        statement.append("AND (totp_last_step IS NULL OR totp_last_step < \(placeholder)) RETURNING 1")
        return try await execute(statement) > 0
    }

    // MARK: - Sessions

    static let sessionColumns = "id_hash, user_name, stage, csrf_token, created, last_seen, source, user_agent"

    static func session(_ cells: inout PostgresCells) throws -> ConsoleSession? {
        let idHash = try cells.next(String.self), user = try cells.next(String.self), stage = try cells.next(String.self)
        guard let stage = ConsoleSession.Stage(rawValue: stage) else { return nil }
        return ConsoleSession(idHash: idHash, user: user, stage: stage, csrfToken: try cells.next(), created: try cells.date(),
                              lastSeen: try cells.date(), source: try cells.next(), userAgent: try cells.next())
    }

    public func saveSession(_ session: ConsoleSession) async throws(StoreError) {
        var statement = PostgresStatement("INSERT INTO sessions (\(Self.sessionColumns)) VALUES (")
        statement.append([
            statement.bind(session.idHash), statement.bind(session.user.storableText), statement.bind(session.stage.rawValue),
            statement.bind(session.csrfToken), statement.bind(session.created.timeIntervalSince1970),
            statement.bind(session.lastSeen.timeIntervalSince1970), statement.bind(session.source.storableText),
            statement.bind(session.userAgent.storableText),
        ].joined(separator: ", "))
        statement.append("""
            ) ON CONFLICT (id_hash) DO UPDATE SET user_name = excluded.user_name, stage = excluded.stage, csrf_token = excluded.csrf_token,
                created = excluded.created, last_seen = excluded.last_seen, source = excluded.source, user_agent = excluded.user_agent
            """)
        try await execute(statement)
    }

    public func session(idHash: String) async throws(StoreError) -> ConsoleSession? {
        var statement = PostgresStatement("SELECT \(Self.sessionColumns) FROM sessions WHERE id_hash = ")
        statement.append(statement.bind(idHash))
        return try await rows(statement, Self.session).first ?? nil
    }

    public func touchSession(idHash: String, at time: Date) async throws(StoreError) {
        var statement = PostgresStatement()
        statement.append("UPDATE sessions SET last_seen = GREATEST(last_seen, \(statement.bind(time.timeIntervalSince1970))) ")
        statement.append("WHERE id_hash = \(statement.bind(idHash))")
        try await execute(statement)
    }

    public func sessions(user: String) async throws(StoreError) -> [ConsoleSession] {
        var statement = PostgresStatement("SELECT \(Self.sessionColumns) FROM sessions WHERE user_name = ")
        statement.append(statement.bind(user.storableText) + " ORDER BY created DESC")
        return try await rows(statement, Self.session).compactMap { $0 }
    }

    public func removeSession(idHash: String) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("DELETE FROM sessions WHERE id_hash = ")
        statement.append(statement.bind(idHash) + " RETURNING 1")
        return try await execute(statement) > 0
    }

    public func removeSessions(user: String) async throws(StoreError) -> Int {
        var statement = PostgresStatement("DELETE FROM sessions WHERE user_name = ")
        statement.append(statement.bind(user.storableText) + " RETURNING 1")
        return try await execute(statement)
    }

    public func removeSessions(idleBefore: Date, createdBefore: Date) async throws(StoreError) -> Int {
        var statement = PostgresStatement()
        statement.append("DELETE FROM sessions WHERE last_seen < \(statement.bind(idleBefore.timeIntervalSince1970)) ")
        statement.append("OR created < \(statement.bind(createdBefore.timeIntervalSince1970)) RETURNING 1")
        return try await execute(statement)
    }

    // MARK: - API tokens

    static let tokenColumns = "id, user_name, role, token_hash, created, expires, last_used"

    static func token(_ cells: inout PostgresCells) throws -> APIToken? {
        let id = try cells.next(String.self), user = try cells.next(String.self), role = try cells.next(String.self)
        guard let role = ConsoleUser.Role(rawValue: role) else { return nil }
        return APIToken(id: id, user: user, role: role, tokenHash: try cells.next(), created: try cells.date(), expires: try cells.date(),
                        lastUsed: try cells.optionalDate())
    }

    public func saveToken(_ token: APIToken) async throws(StoreError) {
        var statement = PostgresStatement("INSERT INTO api_tokens (\(Self.tokenColumns)) VALUES (")
        statement.append([
            statement.bind(token.id.storableText), statement.bind(token.user.storableText), statement.bind(token.role.rawValue),
            statement.bind(token.tokenHash), statement.bind(token.created.timeIntervalSince1970), statement.bind(token.expires.timeIntervalSince1970),
            statement.bind(token.lastUsed?.timeIntervalSince1970),
        ].joined(separator: ", "))
        statement.append("""
            ) ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, role = excluded.role, token_hash = excluded.token_hash,
                created = excluded.created, expires = excluded.expires, last_used = excluded.last_used
            """)
        try await execute(statement)
    }

    public func token(hash: String) async throws(StoreError) -> APIToken? {
        var statement = PostgresStatement("SELECT \(Self.tokenColumns) FROM api_tokens WHERE token_hash = ")
        statement.append(statement.bind(hash))
        return try await rows(statement, Self.token).first ?? nil
    }

    public func tokens(user: String?) async throws(StoreError) -> [APIToken] {
        var statement = PostgresStatement("SELECT \(Self.tokenColumns) FROM api_tokens")
        if let user { statement.append(" WHERE user_name = \(statement.bind(user.storableText))") }
        statement.append(" ORDER BY created, id")
        return try await rows(statement, Self.token).compactMap { $0 }
    }

    public func removeToken(id: String) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("DELETE FROM api_tokens WHERE id = ")
        statement.append(statement.bind(id.storableText) + " RETURNING 1")
        return try await execute(statement) > 0
    }

    public func touchToken(id: String, at time: Date) async throws(StoreError) {
        var statement = PostgresStatement()
        statement.append("UPDATE api_tokens SET last_used = \(statement.bind(time.timeIntervalSince1970)) WHERE id = \(statement.bind(id.storableText))")
        try await execute(statement)
    }

    // MARK: - Divert now

    public func divert() async throws(StoreError) -> DivertState? {
        try await rows("SELECT since, actor, reason FROM divert WHERE id = 1") { cells in
            DivertState(since: try cells.date(), actor: try cells.next(), reason: try cells.next())
        }.first
    }

    public func setDivert(_ state: DivertState?) async throws(StoreError) {
        var statement = PostgresStatement("DELETE FROM divert")
        if let state {
            statement = PostgresStatement("INSERT INTO divert (id, since, actor, reason) VALUES (1, ")
            statement.append("\(statement.bind(state.since.timeIntervalSince1970)), \(statement.bind(state.actor.storableText)), ")
            statement.append("\(statement.bind(state.reason.storableText))) ")
            statement.append("ON CONFLICT (id) DO UPDATE SET since = excluded.since, actor = excluded.actor, reason = excluded.reason")
        }
        try await transaction { [statement] transaction in
            try await transaction.execute(statement)
            try await transaction.notify(.divert)
        }
    }

    // MARK: - Alarm acknowledgements

    public func acknowledge(_ acknowledgement: AlarmAcknowledgement) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("INSERT INTO alarm_acknowledgements (event_id, time, actor, note) VALUES (")
        statement.append([
            statement.bind(acknowledgement.eventID), statement.bind(acknowledgement.time.timeIntervalSince1970),
            statement.bind(acknowledgement.actor.storableText), statement.bind(acknowledgement.note.storableText),
        ].joined(separator: ", "))
        statement.append(") ON CONFLICT (event_id) DO NOTHING RETURNING 1")
        return try await execute(statement) > 0
    }

    public func acknowledgements(eventIDs: [Int64]) async throws(StoreError) -> [Int64: AlarmAcknowledgement] {
        guard !eventIDs.isEmpty else { return [:] }
        var statement = PostgresStatement("SELECT event_id, time, actor, note FROM alarm_acknowledgements WHERE event_id = ANY(")
        statement.append(statement.bind(eventIDs) + ")")
        let list = try await rows(statement) { cells in
            AlarmAcknowledgement(eventID: try cells.next(Int64.self), time: try cells.date(), actor: try cells.next(), note: try cells.next())
        }
        return Dictionary(list.map { ($0.eventID, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
