import Foundation
import HTTPTypes
import Hummingbird
import TollgateModel

/// Signing in and out: the password, then (for admin and operator) a TOTP code, each step with a
/// new session ID; the session's end; and a user's own list of sessions.
extension RouteTable {
    mutating func addSignIn() {
        let console = self.console

        page(.get, "/login", .anyone) { _, context in
            if context.caller?.isSignedIn == true { return Self.redirect("/") }
            return console.pages.respond("login", PageModel(title: "Sign in"))
        }

        page(.post, "/login", .anyone) { input, context in
            try await console.signIn(name: input.form["user"] ?? "", password: input.form["password"] ?? "", input: input, context: context)
        }

        page(.get, "/login/code", .awaitingSecondFactor) { _, context in
            console.pages.respond("totp", PageModel(title: "Second step", content: ["csrf": context.caller?.session?.csrfToken ?? ""]))
        }

        page(.post, "/login/code", .awaitingSecondFactor) { input, context in
            try await console.secondFactor(code: input.form["code"] ?? "", input: input, context: context)
        }

        page(.post, "/logout", .role(.viewer)) { input, context in
            if let id = console.cookie.value(in: input.request) { try? await console.sessions.end(id) }
            if let caller = context.caller { await console.audit(caller.actor, from: context.sourceText, "logout", target: caller.user) }
            var response = Self.redirect("/login")
            response.headers[.setCookie] = console.cookie.clear()
            return response
        }
    }

    /// `303 See Other` to `location`.
    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if let cookie { response.headers[.setCookie] = cookie }
        return response
    }
}

extension Console {
    /// The password step. A wrong name and a wrong password get the same answer in the same time.
    func signIn(name rawName: String, password: String, input: ConsoleInput, context: ConsoleContext) async throws -> Response {
        let name = String(rawName.prefix(64)).trimmingCharacters(in: .whitespaces)
        let source = context.sourceText
        if let refusal = throttled(source: source, account: name) { return refusal }
        let user: ConsoleUser?
        do { user = try await store.user(named: name) } catch { throw ConsoleError.storeUnavailable }
        let matches = try await hashing.verify(String(password.prefix(128)), hash: user?.passwordHash ?? decoyHash)
        guard let user, matches, user.passwordHash != nil else {
            await failed(source: source, account: name, step: "password")
            return pages.respond("login", PageModel(title: "Sign in", message: "Wrong user or password."), status: .unauthorized)
        }
        let previous = cookie.value(in: input.request)
        let userAgent = input.request.headers[.userAgent] ?? ""
        if user.totpSecret != nil {
            let (id, _) = try await sessions.begin(user: user.name, stage: .secondFactor, source: source, userAgent: userAgent, replacing: previous, at: now())
            return RouteTable.redirect("/login/code", cookie: cookie.set(id))
        }
        guard !user.role.needsSecondFactor else {
            // An admin or operator who has not enrolled TOTP cannot sign in with a password alone.
            await failed(source: source, account: name, step: "enrolment incomplete")
            return pages.respond("login", PageModel(title: "Sign in", message: "Wrong user or password."), status: .unauthorized)
        }
        throttle.withLockedValue { $0.recordSuccess(account: user.name) }
        let (id, _) = try await sessions.begin(user: user.name, stage: .signedIn, source: source, userAgent: userAgent, replacing: previous, at: now())
        await audit(user.name, from: source, "login", target: user.name, after: "password")
        return RouteTable.redirect("/", cookie: cookie.set(id))
    }

    /// The TOTP step: a code of this step or the one either side, never one used before.
    func secondFactor(code: String, input: ConsoleInput, context: ConsoleContext) async throws -> Response {
        guard let pending = context.caller?.session else { throw ConsoleError.signInRequired }
        let source = context.sourceText
        if let refusal = throttled(source: source, account: pending.user) { return refusal }
        let user: ConsoleUser?
        do { user = try await store.user(named: pending.user) } catch { throw ConsoleError.storeUnavailable }
        let at = now()
        guard let user, let secret = user.totpSecret,
              let step = TOTPCheck(secret: secret).accept(code, at: at, lastAccepted: user.totpLastStep),
              try await store.claimTOTPStep(user: user.name, step: step) else {
            await failed(source: source, account: pending.user, step: "code")
            return pages.respond("totp", PageModel(title: "Second step", message: "That code is wrong or was used already.",
                                                   content: ["csrf": pending.csrfToken]), status: .unauthorized)
        }
        throttle.withLockedValue { $0.recordSuccess(account: user.name) }
        let (id, _) = try await sessions.begin(user: user.name, stage: .signedIn, source: source, userAgent: input.request.headers[.userAgent] ?? "",
                                               replacing: cookie.value(in: input.request), at: at)
        await audit(user.name, from: source, "login", target: user.name, after: "password and TOTP")
        return RouteTable.redirect("/", cookie: cookie.set(id))
    }

    /// The answer when the source is banned or the account must wait; `nil` when it may try.
    private func throttled(source: String, account: String) -> Response? {
        switch throttle.withLockedValue({ $0.check(source: source, account: account, at: now()) }) {
        case .allowed:
            return nil
        case .wait(let seconds):
            var response = pages.respond("login", PageModel(title: "Sign in", message: "Too many failed attempts: wait \(seconds) s and try again."),
                                         status: .tooManyRequests)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        case .banned:
            return pages.respond("login", PageModel(title: "Sign in", message: "Too many failed attempts from this address."), status: .forbidden)
        }
    }

    private func failed(source: String, account: String, step: String) async {
        let bannedUntil = throttle.withLockedValue { $0.recordFailure(source: source, account: account, at: now()) }
        await audit(account.isEmpty ? "-" : account, from: source, "login.failed", target: account, after: step)
        logger.notice("console sign-in failed", metadata: ["source": "\(source)", "user": "\(account)", "step": "\(step)"])
        if let bannedUntil {
            await audit("console", from: source, "console.ban", target: source, after: "until \(ISO8601DateFormatter().string(from: bannedUntil))")
            logger.warning("console source banned after failed sign-ins", metadata: ["source": "\(source)"])
        }
    }
}
