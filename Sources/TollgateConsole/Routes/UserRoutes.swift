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
            let (user, link) = try await console.resetUser(name: context.parameter("name"), context: context)
            return JSONAnswer.body(["name": user.name, "role": user.role.rawValue, "enrolmentLink": link])
        }

        api(.delete, "/api/v1/users/:name", .role(.admin)) { _, context in
            _ = try await console.removeUser(name: context.parameter("name"), context: context)
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
                                                content: ["rows": rows, "link": link.map { [$0] } ?? [], "roles": ConsoleUser.Role.allCases.map(\.rawValue)],
                                                current: "/users"))
    }

    /// The enrolment link for a token, on this console's address.
    func enrolmentLink(_ token: EnrolmentToken) -> String { settings.baseURL + "/enrol/" + token.text }

    /// The user administration acting for this request's caller.
    func administration(_ context: ConsoleContext) -> UserAdministration {
        UserAdministration(store: store, actor: context.caller?.actor ?? "?", source: context.sourceText, now: now())
    }

    func addUser(name: String, role text: String, context: ConsoleContext) async throws(ConsoleError) -> (ConsoleUser, String) {
        guard let role = ConsoleUser.Role(rawValue: text) else { throw ConsoleError(.badRequest, "role must be admin, operator or viewer", field: "role") }
        do {
            let (user, token) = try await administration(context).add(name: name, role: role)
            return (user, enrolmentLink(token))
        } catch {
            throw ConsoleError(error)
        }
    }

    func resetUser(name: String, context: ConsoleContext) async throws(ConsoleError) -> (ConsoleUser, String) {
        guard name != context.caller?.user else {
            throw ConsoleError(.conflict, "you cannot reset yourself here: another admin can, or 'tollgate user reset' on the host", field: "name")
        }
        do {
            let (user, token) = try await administration(context).reset(name: name)
            return (user, enrolmentLink(token))
        } catch {
            throw ConsoleError(error)
        }
    }

    /// Removes a user (not the last admin, nor oneself), their sessions and tokens.
    func removeUser(name: String, context: ConsoleContext) async throws(ConsoleError) -> String {
        guard name != context.caller?.user else { throw ConsoleError(.conflict, "you cannot remove yourself", field: "name") }
        do {
            return try await administration(context).remove(name: name).name
        } catch {
            throw ConsoleError(error)
        }
    }
}

extension ConsoleError {
    /// The answer for a refused user or token change.
    init(_ refusal: UserAdministration.Refusal) {
        switch refusal {
        case .invalidName: self.init(.badRequest, refusal.description, field: "name")
        case .taken: self.init(.conflict, refusal.description, field: "name")
        case .noSuchUser, .noSuchToken: self.init(.notFound, refusal.description, field: "name")
        case .lastAdmin, .roleAboveUser: self.init(.badRequest, refusal.description)
        case .store: self = .storeUnavailable
        }
    }
}
