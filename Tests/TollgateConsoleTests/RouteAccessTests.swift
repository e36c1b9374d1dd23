import Foundation
import NIOHTTP1
import Testing
@testable import TollgateConsole
import TollgateModel

@Suite("Console routes × roles × sign-in states", .serialized)
struct RouteAccessTests {
    /// Who makes the request.
    enum Caller: String, CaseIterable, CustomStringConvertible {
        case nobody, passwordOnly = "password only", viewer, operatorUser = "operator", admin, viewerToken = "viewer token",
             adminToken = "admin token", cappedToken = "operator token of a viewer"
        var description: String { rawValue }
    }

    /// What the rules say: anyone may; a second-factor page only half signed-in sessions; a role route
    /// 401 without sign-in, 403 below the role.
    static func expected(_ route: ConsoleRoute, _ caller: Caller) -> Set<Int>? {
        let role: ConsoleUser.Role? = switch caller {
        case .nobody, .passwordOnly: nil
        case .viewer, .viewerToken, .cappedToken: .viewer
        case .operatorUser: .operator
        case .admin, .adminToken: .admin
        }
        switch route.access {
        case .anyone:
            return nil
        case .awaitingSecondFactor:
            return caller == .passwordOnly ? nil : [401]
        case .role(let needed):
            guard let role else { return [401] }
            return role >= needed ? nil : [403]
        }
    }

    @Test("every route answers 401 without sign-in (and with a password alone), 403 below its role, and serves the roles at or above it")
    func table() async throws {
        try await ConsoleLab.with { lab in
            try await lab.addUser("vera", role: .viewer)
            try await lab.addUser("otto", role: .operator)
            try await lab.addUser("ada", role: .admin)
            try await lab.addUser("victim", role: .viewer)
            let (_, routes) = ConsoleService.router(for: lab.console)
            #expect(routes.count >= 30)
            var checked = 0
            for route in routes where route.path != "/logout" && route.path != "/sessions/end" {
                for caller in Caller.allCases {
                    let (headers, csrf) = try await Self.credentials(caller, lab: lab)
                    let path = route.path.replacingOccurrences(of: ":token", with: "unknown-token")
                        .replacingOccurrences(of: ":source", with: "192.0.2.1").replacingOccurrences(of: ":account", with: "2001")
                        .replacingOccurrences(of: ":name", with: "victim")
                    let client = lab.client()
                    let answer: HTTPAnswer
                    if route.changesState {
                        var all = headers + [("Origin", client.origin)]
                        if let csrf { all.append(("X-CSRF-Token", csrf)) }
                        // A change of routing or rules asks for the password again.
                        if route.needsPassword { all.append(("X-Tollgate-Password", ConsoleLab.password)) }
                        if route.kind == .api { all.append(("Content-Type", "application/json")) }
                        answer = try await client.request(route.method == .delete ? .DELETE : .POST, path, headers: all,
                                                          body: route.kind == .api ? "{}" : "")
                    } else {
                        answer = try await client.request(.GET, path, headers: headers)
                    }
                    if let expected = Self.expected(route, caller) {
                        #expect(expected.contains(answer.status), "\(route.method) \(route.path) as \(caller): \(answer.status)")
                    } else if route.changesState && route.path.hasPrefix("/login") {
                        // A sign-in step with wrong credentials is a 401 of its own, not a refusal of the route.
                        #expect(![0, 403, 500].contains(answer.status), "\(route.method) \(route.path) as \(caller): \(answer.status)")
                    } else {
                        #expect(![0, 401, 403, 500].contains(answer.status), "\(route.method) \(route.path) as \(caller): \(answer.status) \(answer.body.prefix(200))")
                    }
                    checked += 1
                }
            }
            #expect(checked > 200)
        }
    }

    /// The headers that make a request come from `caller`, and the CSRF token of its session.
    static func credentials(_ caller: Caller, lab: ConsoleLab) async throws -> ([(String, String)], String?) {
        switch caller {
        case .nobody:
            return ([], nil)
        case .passwordOnly:
            let (cookie, csrf) = try await lab.session(for: "otto", stage: .secondFactor)
            return ([("Cookie", cookie)], csrf)
        case .viewer, .operatorUser, .admin:
            let name = caller == .viewer ? "vera" : caller == .operatorUser ? "otto" : "ada"
            let (cookie, csrf) = try await lab.session(for: name)
            return ([("Cookie", cookie)], csrf)
        case .viewerToken:
            return ([("Authorization", "Bearer \(try await lab.token(for: "vera", role: .viewer))")], nil)
        case .adminToken:
            return ([("Authorization", "Bearer \(try await lab.token(for: "ada", role: .admin))")], nil)
        case .cappedToken:
            // A token is never worth more than its user: vera is a viewer.
            return ([("Authorization", "Bearer \(try await lab.token(for: "vera", role: .operator))")], nil)
        }
    }
}

@Suite("The OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("it describes exactly the API routes the console serves, with their methods")
    func matchesRoutes() async throws {
        try await ConsoleLab.with { lab in
            let (_, routes) = ConsoleService.router(for: lab.console)
            let served = Set(routes.filter { $0.kind == .api }.map { route in
                let segments = route.path.dropFirst("/api/v1/".count).split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return "\(route.method.rawValue.lowercased()) /" + segments.joined(separator: "/")
            })
            let answer = try await lab.client().get("/api/v1/openapi.json")
            #expect(answer.status == 200 && answer.header("Content-Type") == "application/json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
            #expect(described == served)
        }
    }
}
