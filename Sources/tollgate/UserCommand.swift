import ArgumentParser
import Foundation
import TollgateConsole
import TollgateModel
import TollgateStore

/// `tollgate user`: console users. There is no default user; each one enrols through a one-time link.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Console users: add (with a one-time enrolment link), list, remove, reset.",
        discussion: """
            Tollgate has no default user. 'user add' prints a link, valid 24 hours, where the user sets a \
            password (at least 12 characters, not a common one) and, for admin and operator, enrols TOTP. \
            Only the link's SHA-256 is stored. 'user reset' takes a user's password and TOTP away and prints \
            a new link.
            """,
        subcommands: [Add.self, List.self, Remove.self, Reset.self]
    )

    /// The link a user enrols at: the console's address when configured, or a path to open on it.
    static func link(for token: EnrolmentToken, options: ConfigOptions, base: String?) -> String {
        if let base { return base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/enrol/" + token.text }
        if let config = try? options.load(), let console = config.console {
            return console.baseURL + "/enrol/" + token.text
        }
        return "/enrol/\(token.text)   (on the console's address, once console.listen is set)"
    }

    /// Changes made from the command line, logged as the local login.
    static func administration(_ store: any Store) -> UserAdministration {
        UserAdministration(store: store, actor: AuditLogCommand.localActor, source: "local")
    }

    static func validName(_ name: String) throws -> String {
        guard EnrolmentToken.isValidUserName(name) else {
            printError("'\(TextTable.printable(name))' is not a user name: 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter")
            throw ExitCode(2)
        }
        return name
    }

    static func printLink(_ user: ConsoleUser, token: EnrolmentToken, options: ConfigOptions, base: String?) {
        print("enrolment link for \(user.name) (\(user.role.rawValue)), valid until \(Timestamp.text(user.enrolmentExpires ?? Date())), shown once:")
        print("  \(link(for: token, options: options, base: base))")
        print(user.role.needsSecondFactor ? "the user sets a password there and enrols TOTP with an authenticator app"
                                          : "the user sets a password there")
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user and print their one-time enrolment link. Exits 1 if the name is taken.")

        @Argument(help: "The user's name.")
        var name: String

        @Option(name: .long, help: "admin, operator or viewer.")
        var role: String

        @Option(name: .long, help: "The console's address for the link (default: console.listen of the configuration).")
        var consoleURL: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let name = try UserCommand.validName(name)
            guard let role = ConsoleUser.Role(rawValue: role.lowercased()) else {
                printError("--role must be admin, operator or viewer")
                throw ExitCode(2)
            }
            let store = try await options.openStoreOrExit()
            do {
                let (user, token) = try await UserCommand.administration(store).add(name: name, role: role)
                UserCommand.printLink(user, token: token, options: options, base: consoleURL)
            } catch .taken {
                printError("there is already a user \(name); 'tollgate user reset \(name)' gives them a new link")
                throw ExitCode(1)
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users with their role and whether they have enrolled.")

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let users = try await store.users()
            let now = Date()
            func state(_ user: ConsoleUser) -> String {
                if user.isEnrolled { return "active" }
                guard let expires = user.enrolmentExpires else { return "not enrolled" }
                return expires > now ? "enrolment pending until \(Timestamp.text(expires))" : "enrolment link expired"
            }
            if json {
                // Never the hashes or the TOTP secret: what a script needs to know only.
                let rows = users.map { user -> [String: String] in
                    ["name": user.name, "role": user.role.rawValue, "state": state(user), "mfa": user.totpSecret == nil ? "no" : "yes",
                     "created": Timestamp.text(user.created)]
                }
                try printJSON(rows)
                return
            }
            guard !users.isEmpty else {
                print("no users: add the first with 'tollgate user add NAME --role admin'")
                return
            }
            var table = TextTable("NAME", "ROLE", "STATE", "MFA", "CREATED")
            for user in users {
                table.append([user.name, user.role.rawValue, state(user), user.totpSecret == nil ? "no" : "yes", Timestamp.text(user.created)])
            }
            print(table.rendered)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user. Exits 1 if there is none.")

        @Argument(help: "The user's name.")
        var name: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let name = try UserCommand.validName(name)
            let store = try await options.openStoreOrExit()
            do {
                _ = try await UserCommand.administration(store).remove(name: name)
                print("removed \(name), their sessions and API tokens")
            } catch .noSuchUser {
                printError("no user \(name)")
                throw ExitCode(1)
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a user's password and TOTP away and print a new enrolment link. Exits 1 if there is none.")

        @Argument(help: "The user's name.")
        var name: String

        @Option(name: .long, help: "The console's address for the link (default: console.listen of the configuration).")
        var consoleURL: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let name = try UserCommand.validName(name)
            let store = try await options.openStoreOrExit()
            do {
                let (user, token) = try await UserCommand.administration(store).reset(name: name)
                UserCommand.printLink(user, token: token, options: options, base: consoleURL)
            } catch .noSuchUser {
                printError("no user \(name)")
                throw ExitCode(1)
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }
}
