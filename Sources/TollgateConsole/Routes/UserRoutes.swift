import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// Console users, for admins: listed (never a secret), added with a one-time enrolment link shown
/// once, reset (password and TOTP taken away, a new link) and removed, each in the audit log:
/// `/users`, `GET|POST /api/v1/users`, `POST /api/v1/users/:name/reset`, `DELETE /api/v1/users/:name`.
extension RouteTable {
    mutating func addUsers() {
        let console = self.console

        page(.get, "/users", .role(.admin)) { _, context in
            try await console.usersPage(context: context, notice: nil, link: nil)
        }

        page(.post, "/users", .role(.admin)) { input, context in
            let (user, link) = try await console.addUser(name: input["name"] ?? "", role: input["role"] ?? "", context: context)
            return try await console.usersPage(context: context, notice: "Added \(user.name) (\(user.role.rawValue)).", link: link)
        }

        page(.post, "/users/reset", .role(.admin)) { input, context in
            let (user, link) = try await console.resetUser(name: input["name"] ?? "", context: context)
            return try await console.usersPage(context: context, notice: "Reset \(user.name): their sessions ended.", link: link)
        }

        page(.post, "/users/remove", .role(.admin)) { input, context in
            let name = try await console.removeUser(name: input["name"] ?? "", context: context)
            return try await console.usersPage(context: context, notice: "Removed \(name).", link: nil)
        }

        api(.get, "/api/v1/users", .role(.viewer)) { _, _ in
            do { return JSONAnswer.body(Listing(items: try await console.store.users().map(UserView.init), next: nil)) } catch {
                throw ConsoleError.storeUnavailable
            }
        }

        api(.post, "/api/v1/users", .role(.admin)) { input, context in
            struct Body: Decodable {
                var name: String
                var role: String
            }
            let body = try input.json(Body.self)
            let (user, link) = try await console.addUser(name: body.name, role: body.role, context: context)
            return JSONAnswer.body(["name": user.name, "role": user.role.rawValue, "enrolmentLink": link], status: .created)
        }

        api(.post, "/api/v1/users/:name/reset", .role(.admin)) { _, context in
            let (user, link) = try await console.resetUser(name: context.parameters.get("name") ?? "", context: context)
            return JSONAnswer.body(["name": user.name, "role": user.role.rawValue, "enrolmentLink": link])
        }

        api(.delete, "/api/v1/users/:name", .role(.admin)) { _, context in
            _ = try await console.removeUser(name: context.parameters.get("name") ?? "", context: context)
            return Response(status: .noContent)
        }
    }
}

/// A user as lists show them: no password hash, TOTP secret or enrolment token.
struct UserView: Encodable {
    var name: String
    var role: String
    var enrolled: Bool
    var enrolmentExpires: Date?
    var created: Date

    init(_ user: ConsoleUser) {
        name = user.name
        role = user.role.rawValue
        enrolled = user.isEnrolled
        enrolmentExpires = user.enrolmentTokenHash == nil ? nil : user.enrolmentExpires
        created = user.created
    }
}

extension Console {
    func usersPage(context: ConsoleContext, notice: String?, link: String?) async throws(ConsoleError) -> Response {
        let users: [ConsoleUser]
        do { users = try await store.users() } catch { throw .storeUnavailable }
        let rows = users.map { user -> [String: Any] in
            ["name": user.name, "role": user.role.rawValue, "enrolled": user.isEnrolled, "created": ConsoleFormat.time(user.created),
             "self": user.name == context.caller?.user]
        }
        return pages.respond("users", PageModel(title: "Users", caller: context.caller, notice: notice,
                                                content: ["rows": rows, "link": link as Any, "roles": ConsoleUser.Role.allCases.map(\.rawValue)],
                                                current: "/users"))
    }

    /// The enrolment link for a token, on this console's address.
    func enrolmentLink(_ token: EnrolmentToken) -> String { settings.baseURL + "/enrol/" + token.text }

    func addUser(name: String, role text: String, context: ConsoleContext) async throws(ConsoleError) -> (ConsoleUser, String) {
        guard EnrolmentToken.isValidUserName(name) else {
            throw ConsoleError(.badRequest, "a user name is 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter", field: "name")
        }
        guard let role = ConsoleUser.Role(rawValue: text) else { throw ConsoleError(.badRequest, "role must be admin, operator or viewer", field: "role") }
        do {
            guard try await store.user(named: name) == nil else { throw ConsoleError(.conflict, "there is already a user \(name)", field: "name") }
            let token = EnrolmentToken()
            let now = now()
            let user = ConsoleUser(name: name, role: role, enrolmentTokenHash: token.hash, enrolmentExpires: now.addingTimeInterval(EnrolmentToken.lifetime),
                                   created: now)
            try await store.saveUser(user)
            await audit(context.caller?.actor ?? "?", from: context.sourceText, "user.add", target: name, after: "role \(role.rawValue), enrolment pending")
            return (user, enrolmentLink(token))
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw .storeUnavailable
        }
    }

    func resetUser(name: String, context: ConsoleContext) async throws(ConsoleError) -> (ConsoleUser, String) {
        do {
            guard var user = try await store.user(named: name) else { throw ConsoleError(.notFound, "there is no user \(name.prefix(40))", field: "name") }
            let token = EnrolmentToken()
            user.passwordHash = nil
            user.totpSecret = nil
            user.totpLastStep = nil
            user.enrolmentTokenHash = token.hash
            user.enrolmentExpires = now().addingTimeInterval(EnrolmentToken.lifetime)
            try await store.saveUser(user)
            try await store.removeSessions(user: name)
            await audit(context.caller?.actor ?? "?", from: context.sourceText, "user.reset", target: name, before: "enrolled", after: "enrolment pending")
            return (user, enrolmentLink(token))
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw .storeUnavailable
        }
    }

    /// Removes a user (not the last admin, nor oneself), their sessions and tokens.
    func removeUser(name: String, context: ConsoleContext) async throws(ConsoleError) -> String {
        guard name != context.caller?.user else { throw ConsoleError(.badRequest, "you cannot remove yourself", field: "name") }
        do {
            let users = try await store.users()
            guard let user = users.first(where: { $0.name == name }) else { throw ConsoleError(.notFound, "there is no user \(name.prefix(40))", field: "name") }
            if user.role == .admin, users.filter({ $0.role == .admin && $0.isEnrolled }).count <= 1, user.isEnrolled {
                throw ConsoleError(.badRequest, "\(name) is the last enrolled admin", field: "name")
            }
            _ = try await store.removeUser(named: name)
            try await store.removeSessions(user: name)
            for token in try await store.tokens(user: name) { _ = try await store.removeToken(id: token.id) }
            await audit(context.caller?.actor ?? "?", from: context.sourceText, "user.remove", target: name, before: "role \(user.role.rawValue)")
            return name
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw .storeUnavailable
        }
    }
}
