import Foundation
import Testing
import TollgateStore
import TollgateStorePostgres

@Suite("PostgreSQL URLs: read as libpq reads them, the password never shown")
struct PostgresURLTests {
    @Test("host, port, user, database and TLS mode are read; the defaults are libpq's", arguments: [
        ("postgres://tollgate@db.example.net/tollgate", "db.example.net", 5432, "tollgate", "tollgate", PostgresURL.TLSMode.prefer),
        ("postgresql://ops@127.0.0.1:6543/cdr?sslmode=require", "127.0.0.1", 6543, "ops", "cdr", .require),
        ("postgres://ops@[::1]:5433/?sslmode=verify-full", "::1", 5433, "ops", "ops", .verifyFull),
        ("postgres://a%40b@h/d?sslmode=disable", "h", 5432, "a@b", "d", .disable),
    ])
    func fields(text: String, host: String, port: Int, user: String, database: String, mode: PostgresURL.TLSMode) throws {
        let url = try PostgresURL(text, environment: [:])
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.user == user)
        #expect(url.database == database)
        #expect(url.tlsMode == mode)
        #expect(url.password == nil)
    }

    @Test("the password comes from the URL, else a password file, else TOLLGATE_STORE_PASSWORD, else PGPASSWORD")
    func passwordSources() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("pgpass")
        try "from-file\nignored\n".write(toFile: file, atomically: true, encoding: .utf8)
        let environment = ["TOLLGATE_STORE_PASSWORD": "from-tollgate", "PGPASSWORD": "from-pg"]
        #expect(try PostgresURL("postgres://u:p%3Aw%40rd@h/d", environment: environment).password == "p:w@rd")
        #expect(try PostgresURL("postgres://u@h/d?password_file=\(file)", environment: environment).password == "from-file")
        #expect(try PostgresURL("postgres://u@h/d", environment: environment).password == "from-tollgate")
        #expect(try PostgresURL("postgres://u@h/d", environment: ["PGPASSWORD": "from-pg"]).password == "from-pg")
    }

    @Test("the redacted form and every error name no password", arguments: [
        "postgres://u:s3cret@h:5432/d",
        "postgres://u:s3cret@h:5432/d?sslmode=bogus",
        "postgres://u:s3cret@h:99999/d",
        "postgres://u:s3cret@h/d?colour=blue",
        "postgres://u:s3cret@h/d?password_file=/nonexistent/file",
    ])
    func noPasswordShown(text: String) {
        do {
            let url = try PostgresURL(text, environment: [:])
            #expect(url.password == "s3cret")
            #expect(!url.redacted.contains("s3cret"))
            #expect(url.redacted == "postgres://u@h:5432/d")
        } catch {
            #expect(!error.description.contains("s3cret"), "\(error)")
        }
    }

    @Test("a URL that is wrong says what is wrong", arguments: [
        ("mysql://u@h/d", "starts with postgres://"),
        ("postgres:///d", "names no host"),
        ("postgres://h/d", "names no user"),
        ("postgres://u@h/d?sslmode=maybe", "sslmode 'maybe'"),
        ("postgres://u@h/d?colour=blue", "'colour' is not understood"),
        ("postgres://u@h/d?password_file=/nonexistent/pw", "cannot be read"),
    ])
    func errors(text: String, expected: String) {
        #expect {
            try PostgresURL(text, environment: [:])
        } throws: { error in
            "\(error)".contains(expected)
        }
    }
}
