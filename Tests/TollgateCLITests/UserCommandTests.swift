import Foundation
import Testing
import TollgateModel
import TollgateStoreSQLite

@Suite("tollgate user")
struct UserCommandTests {
    @Test("there is no default user; add prints a one-time link whose hash alone is stored; a taken name exits 1")
    func add() async throws {
        let fixture = try StoreFixture()
        let empty = try fixture.run(["user", "list"])
        #expect(empty.status == 0 && empty.stdout.contains("no users: add the first with 'tollgate user add NAME --role admin'"))
        let added = try fixture.run(["user", "add", "ana", "--role", "admin", "--console-url", "https://console.example.net:8443"])
        #expect(added.status == 0, "\(added.stderr)")
        let link = try #require(added.stdout.split(separator: "\n").first { $0.contains("/enrol/") }).trimmingCharacters(in: .whitespaces)
        #expect(link.hasPrefix("https://console.example.net:8443/enrol/"))
        let token = String(link.dropFirst("https://console.example.net:8443/enrol/".count))
        #expect(added.stdout.contains("enrols TOTP"))
        let store = try SQLiteStore(path: fixture.storePath)
        let user = try #require(try await store.user(named: "ana"))
        #expect(user.role == .admin && user.passwordHash == nil && user.totpSecret == nil && !user.isEnrolled)
        #expect(user.enrolmentTokenHash != nil && user.enrolmentTokenHash != token, "only the hash is kept")
        #expect((user.enrolmentExpires ?? .distantPast).timeIntervalSinceNow > 86_000)
        #expect(try fixture.run(["user", "add", "ana", "--role", "viewer"]).status == 1)
        #expect(try fixture.run(["user", "add", "Bad Name", "--role", "viewer"]).status == 2)
        #expect(try fixture.run(["user", "add", "bob", "--role", "root"]).status == 2)
    }

    @Test("list shows role and state, never a secret; reset gives a new link; remove")
    func listResetRemove() async throws {
        let fixture = try StoreFixture()
        #expect(try fixture.run(["user", "add", "noc", "--role", "viewer"]).status == 0)
        let list = try fixture.run(["user", "list"])
        #expect(list.stdout.contains("noc") && list.stdout.contains("viewer") && list.stdout.contains("enrolment pending until"), "\(list.stdout)")
        let json = try fixture.run(["user", "list", "--json"])
        #expect(json.stdout.contains("\"mfa\" : \"no\"") && !json.stdout.contains("Hash") && !json.stdout.contains("hash"))
        let before = try await SQLiteStore(path: fixture.storePath).user(named: "noc")?.enrolmentTokenHash
        let reset = try fixture.run(["user", "reset", "noc"])
        #expect(reset.status == 0 && reset.stdout.contains("/enrol/"))
        #expect(try await SQLiteStore(path: fixture.storePath).user(named: "noc")?.enrolmentTokenHash != before)
        #expect(try fixture.run(["user", "reset", "nobody"]).status == 1)
        #expect(try fixture.run(["user", "remove", "noc"]).status == 0)
        #expect(try fixture.run(["user", "remove", "noc"]).status == 1)
    }
}
