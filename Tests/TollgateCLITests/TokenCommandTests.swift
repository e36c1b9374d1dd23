import Foundation
import Testing
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate token")
struct TokenCommandTests {
    @Test("create prints a token once and stores its hash; a role above the user's is refused; list never shows it; revoke removes it")
    func lifecycle() async throws {
        let fixture = try StoreFixture()
        #expect(try fixture.run(["user", "add", "noc", "--role", "operator"]).status == 0)
        #expect(try fixture.run(["token", "create", "noc", "--role", "admin"]).status == 1)
        #expect(try fixture.run(["token", "create", "nobody"]).status == 1)
        #expect(try fixture.run(["token", "create", "noc", "--expires", "soon"]).status == 2)
        let created = try fixture.run(["token", "create", "noc", "--role", "viewer", "--expires", "7d"])
        #expect(created.status == 0, "\(created.stderr)")
        let text = try #require(created.stdout.split(separator: "\n").last?.trimmingCharacters(in: .whitespaces))
        #expect(text.hasPrefix("tg_") && text.count > 40)
        let store = try SQLiteStore(path: fixture.storePath)
        let token = try #require(try await store.tokens(user: "noc").first)
        #expect(token.role == .viewer && token.tokenHash != text && token.tokenHash.count == 64)
        #expect(abs(token.expires.timeIntervalSince(token.created) - 7 * 86_400) < 1)
        let list = try fixture.run(["token", "list"])
        #expect(list.stdout.contains(token.id) && !list.stdout.contains(text))
        #expect(try fixture.run(["token", "revoke", token.id]).status == 0)
        #expect(try fixture.run(["token", "revoke", token.id]).status == 1)
        #expect(try await store.tokens(user: nil).isEmpty)
        let log = try await store.auditEntries(since: nil, limit: 10).map(\.action)
        #expect(log == ["user.add", "token.create", "token.revoke"])
    }

    @Test("removing a user removes their tokens")
    func removedUser() async throws {
        let fixture = try StoreFixture()
        #expect(try fixture.run(["user", "add", "bot", "--role", "viewer"]).status == 0)
        #expect(try fixture.run(["token", "create", "bot"]).status == 0)
        #expect(try fixture.run(["user", "remove", "bot"]).status == 0)
        #expect(try await SQLiteStore(path: fixture.storePath).tokens(user: nil).isEmpty)
    }
}
