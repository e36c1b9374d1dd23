import Foundation
import HTTPTypes
import Hummingbird
import TollgateModel

/// Runs before every route: refuses sources the console does not admit (should the connection
/// gate be bypassed), adds the security headers to every answer, and finds the caller — a bearer
/// token (`Authorization: Bearer …`) or the session cookie — judged by the user's current role
/// (a token's role is capped at its user's).
struct CallerMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext

    let console: Console

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        let isMetrics = request.uri.path == "/metrics"
        guard let address = context.remoteAddress, isMetrics ? console.admitsMetrics(address) : console.admits(address) else {
            return JSONAnswer.error(ConsoleError(.forbidden, "not allowed from this address"))
        }
        var context = context
        do {
            context.caller = try await caller(for: request)
        } catch {
            return JSONAnswer.error(error)
        }
        // While "divert now" is on, every page says so (only pages: the API, files and metrics show no banner).
        let path = request.uri.path
        let isPage = !(path.hasPrefix("/api/") || path.hasPrefix("/static/") || isMetrics || path.hasSuffix(".csv"))
        let divert = isPage ? (try? await console.store.divert()).flatMap { $0 } : nil
        var response = try await PageModel.$divertBanner.withValue(divert.map { console.divertBanner($0) }) {
            try await next(request, context)
        }
        SecurityHeaders.add(to: &response.headers, secure: console.settings.usesTLS)
        return response
    }

    private func caller(for request: Request) async throws(ConsoleError) -> ConsoleCaller? {
        let now = console.now()
        do {
            if let authorization = request.headers[.authorization] {
                guard authorization.lowercased().hasPrefix("bearer ") else { throw ConsoleError(.unauthorized, "only Bearer tokens are accepted") }
                let text = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
                guard text.count <= 128, let token = try await console.store.token(hash: SecretToken.hash(text)), token.expires > now,
                      let user = try await console.store.user(named: token.user), user.isEnrolled else {
                    throw ConsoleError(.unauthorized, "the token is unknown, expired or revoked")
                }
                if (token.lastUsed.map { now.timeIntervalSince($0) >= ConsoleSessions.touchInterval }) ?? true {
                    try await console.store.touchToken(id: token.id, at: now)
                }
                return ConsoleCaller(user: user.name, role: min(token.role, user.role), credential: .token(token))
            }
            guard let id = console.cookie.value(in: request), let session = try await console.sessions.resolve(id, at: now) else { return nil }
            guard let user = try await console.store.user(named: session.user) else {
                try await console.store.removeSession(idHash: session.idHash)
                return nil
            }
            return ConsoleCaller(user: user.name, role: user.role, credential: .session(session))
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw .storeUnavailable
        }
    }
}

/// Headers on every answer: no framing, no sniffing, no referrer to other sites, nothing cached, scripts and
/// styles from the console only, and HSTS over HTTPS.
enum SecurityHeaders {
    static func add(to headers: inout HTTPFields, secure: Bool) {
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on form posts.
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        if secure { headers[.strictTransportSecurity] = "max-age=31536000" }
    }
}
