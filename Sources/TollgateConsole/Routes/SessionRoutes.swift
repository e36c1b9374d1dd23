import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// A user's own sessions: where and when each began, and ending any of them:
/// `/sessions`, `GET /api/v1/sessions`, `POST /sessions/end`.
extension RouteTable {
    mutating func addSessions() {
        let console = self.console

        page(.get, "/sessions", .role(.viewer)) { _, context in
            try await console.sessionsPage(context: context, notice: nil)
        }

        page(.post, "/sessions/end", .role(.viewer)) { input, context in
            guard let caller = context.caller else { throw ConsoleError.signInRequired }
            let reference = input["session"] ?? ""
            let sessions: [ConsoleSession]
            do { sessions = try await console.store.sessions(user: caller.user) } catch { throw ConsoleError.storeUnavailable }
            guard let session = sessions.first(where: { SessionView.reference($0) == reference }) else {
                throw ConsoleError(.notFound, "no such session of yours")
            }
            _ = try? await console.store.removeSession(idHash: session.idHash)
            await console.audit(caller.actor, from: context.sourceText, "session.end", target: caller.user, before: "from \(session.source)")
            if session.idHash == caller.session?.idHash { return RouteTable.redirect("/login", cookie: console.cookie.clear()) }
            return try await console.sessionsPage(context: context, notice: "Ended the session from \(session.source).")
        }

        api(.get, "/api/v1/sessions", .role(.viewer)) { _, context in
            guard let caller = context.caller else { throw ConsoleError.signInRequired }
            do {
                let sessions = try await console.store.sessions(user: caller.user)
                return JSONAnswer.body(Listing(items: sessions.map { SessionView($0, current: $0.idHash == caller.session?.idHash) }, next: nil))
            } catch {
                throw ConsoleError.storeUnavailable
            }
        }
    }
}

/// A session as its user sees it: never its ID or CSRF token, only a short reference to end it by.
struct SessionView: Encodable {
    var reference: String
    var stage: String
    var created: Date
    var lastSeen: Date
    var source: String
    var userAgent: String
    var current: Bool

    init(_ session: ConsoleSession, current: Bool) {
        reference = Self.reference(session)
        stage = session.stage.rawValue
        created = session.created
        lastSeen = session.lastSeen
        source = session.source
        userAgent = session.userAgent
        self.current = current
    }

    /// The first 12 characters of the ID's hash: enough to tell sessions apart, useless to take one over.
    static func reference(_ session: ConsoleSession) -> String { String(session.idHash.prefix(12)) }
}

extension Console {
    func sessionsPage(context: ConsoleContext, notice: String?) async throws(ConsoleError) -> Response {
        guard let caller = context.caller else { throw .signInRequired }
        let sessions: [ConsoleSession]
        do { sessions = try await store.sessions(user: caller.user) } catch { throw .storeUnavailable }
        let rows = sessions.map { session -> [String: Any] in
            ["reference": SessionView.reference(session), "created": ConsoleFormat.time(session.created), "lastSeen": ConsoleFormat.time(session.lastSeen),
             "source": session.source, "userAgent": session.userAgent, "current": session.idHash == caller.session?.idHash,
             "stage": session.stage.rawValue]
        }
        return pages.respond("sessions", PageModel(title: "Your sessions", caller: caller, notice: notice, content: ["rows": rows], current: "/sessions"))
    }
}
