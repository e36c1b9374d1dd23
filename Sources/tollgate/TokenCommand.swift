import ArgumentParser
import Foundation
import TollgateConsole
import TollgateModel
import TollgateStore

/// `tollgate token`: bearer tokens for scripts using the console's REST API.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens for scripts: create (shown once), list, revoke.",
        discussion: """
            A token acts as its user with a role no higher than the user's, until it expires or is revoked. \
            Only its SHA-256 is stored. Send it as 'Authorization: Bearer TOKEN'.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token for a user and print it once. Exits 1 if the user does not exist.")

        @Argument(help: "The user the token acts as.")
        var user: String

        @Option(name: .long, help: "admin, operator or viewer; at most the user's role (default: the user's).")
        var role: String?

        @Option(name: .long, help: "How long it is valid: 30m, 12h, 30d (default 30d).")
        var expires = "30d"

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let role: ConsoleUser.Role?
            if let text = self.role {
                guard let parsed = ConsoleUser.Role(rawValue: text.lowercased()) else {
                    printError("--role must be admin, operator or viewer")
                    throw ExitCode(2)
                }
                role = parsed
            } else {
                role = nil
            }
            let lifetime: DurationText
            do { lifetime = try DurationText(parsing: expires, allowPermanent: false) } catch {
                printError("--expires: \(error)")
                throw ExitCode(2)
            }
            let store = try await options.openStoreOrExit()
            do {
                let (token, text) = try await UserCommand.administration(store).createToken(user: user, role: role, lifetime: lifetime.timeInterval)
                print("token \(token.id) for \(token.user) (\(token.role.rawValue)), valid until \(Timestamp.text(token.expires)), shown once:")
                print("  \(text)")
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves).")

        @Argument(help: "Only this user's tokens.")
        var user: String?

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let tokens = try await store.tokens(user: user)
            let now = Date()
            if json {
                let rows = tokens.map { token -> [String: String] in
                    ["id": token.id, "user": token.user, "role": token.role.rawValue, "created": Timestamp.text(token.created),
                     "expires": Timestamp.text(token.expires), "lastUsed": token.lastUsed.map(Timestamp.text) ?? "", "expired": token.expires <= now ? "yes" : "no"]
                }
                try printJSON(rows)
                return
            }
            guard !tokens.isEmpty else {
                print("no tokens")
                return
            }
            var table = TextTable("ID", "USER", "ROLE", "EXPIRES", "LAST USED")
            for token in tokens {
                table.append([token.id, token.user, token.role.rawValue, (token.expires <= now ? "expired " : "") + Timestamp.text(token.expires),
                              token.lastUsed.map(Timestamp.text) ?? "never"])
            }
            print(table.rendered)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its ID. Exits 1 if there is none.")

        @Argument(help: "The token's ID (tk_…), from 'token list'.")
        var id: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            do {
                let token = try await UserCommand.administration(store).revokeToken(id: id)
                print("revoked \(token.id) of \(token.user)")
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }
}
