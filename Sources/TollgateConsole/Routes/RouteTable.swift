import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Registers the console's routes on the router, each with its ``RouteAccess``, and wraps every
/// handler in the same checks, in one place: who the caller is, whether their role suffices, the
/// CSRF checks for state-changing requests, and (for changes of routing or rules) the password
/// asked for again. Errors become an HTML page or a JSON error by the route's kind.
struct RouteTable {
    typealias Handler = @Sendable (ConsoleInput, ConsoleContext) async throws -> Response

    let router: Router<ConsoleContext>
    let console: Console
    private(set) var routes: [ConsoleRoute] = []

    init(router: Router<ConsoleContext>, console: Console) {
        self.router = router
        self.console = console
    }

    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess, _ kind: ConsoleRoute.Kind,
                      needsPassword: Bool = false, _ handler: @escaping Handler) {
        let route = ConsoleRoute(method: method, path: path, access: access, kind: kind, needsPassword: needsPassword)
        routes.append(route)
        let console = self.console
        router.on(RouterPath(path), method: method) { request, context -> Response in
            do {
                try route.access.check(caller: context.caller)
                let input = try await ConsoleInput.read(request, limit: context.maxUploadSize)
                if route.changesState {
                    try CrossSiteCheck.check(request, form: input.form, caller: context.caller, secure: console.settings.usesTLS,
                                             needsToken: route.access != .anyone)
                    if route.needsPassword { try await console.confirmPassword(input, context: context) }
                }
                return try await handler(input, context)
            } catch let error as ConsoleError {
                return console.answer(error, kind: route.kind, context: context)
            }
        }
    }

    /// Answers `405 Method Not Allowed` (with `Allow`) for the methods a registered path does not
    /// serve, instead of a 404 that would say the path is not there. Call after every route is added.
    func addMethodNotAllowed() {
        let console = self.console
        var byPath: [String: (methods: Set<HTTPRequest.Method>, kind: ConsoleRoute.Kind)] = [:]
        for route in routes { byPath[route.path, default: ([], route.kind)].methods.insert(route.method) }
        for (path, entry) in byPath {
            let allowed = entry.methods.union(entry.methods.contains(.get) ? [.head] : []).map(\.rawValue).sorted().joined(separator: ", ")
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .trace, .options] where !entry.methods.contains(method) {
                router.on(RouterPath(path), method: method) { _, context -> Response in
                    var response = console.answer(ConsoleError(.methodNotAllowed, "\(method.rawValue) is not allowed here; use \(allowed)"),
                                                  kind: entry.kind, context: context)
                    response.headers[.allow] = allowed
                    return response
                }
            }
        }
    }

    mutating func page(_ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess, needsPassword: Bool = false,
                       _ handler: @escaping Handler) {
        add(method, path, access, .page, needsPassword: needsPassword, handler)
    }

    mutating func api(_ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess, needsPassword: Bool = false,
                      _ handler: @escaping Handler) {
        add(method, path, access, .api, needsPassword: needsPassword, handler)
    }
}

extension Console {
    /// The answer for an error: JSON for the API, a page for people (the sign-in form for a 401).
    func answer(_ error: ConsoleError, kind: ConsoleRoute.Kind, context: ConsoleContext) -> Response {
        switch kind {
        case .api, .resource:
            return JSONAnswer.error(error)
        case .page:
            if error.status == .unauthorized {
                return pages.respond("login", PageModel(title: "Sign in", message: nil), status: .unauthorized)
            }
            return pages.respond("error", PageModel(title: error.status.reasonPhrase, caller: context.caller, message: error.message),
                                 status: error.status)
        }
    }

    /// A change of routing or rules asks for the password again (field `password`, or header
    /// `X-Tollgate-Password` for the API); a token cannot make such a change without it either.
    func confirmPassword(_ input: ConsoleInput, context: ConsoleContext) async throws(ConsoleError) {
        guard let caller = context.caller else { throw .signInRequired }
        let given = input.form["password"] ?? input.request.headers[HTTPField.Name("X-Tollgate-Password")!] ?? ""
        let hash: String?
        do { hash = try await store.user(named: caller.user)?.passwordHash } catch { throw .storeUnavailable }
        guard let hash, !given.isEmpty, (try? await hashing.verify(given, hash: hash)) == true else {
            await audit(caller.actor, from: context.sourceText, "reauth.failed", target: caller.user)
            throw ConsoleError(.forbidden, "this change needs your password again", field: "password")
        }
    }
}
