import HTTPTypes
import Hummingbird

/// The CSRF defence of every state-changing request: the browser's `Origin` (or, without it,
/// `Sec-Fetch-Site`) must be the console itself, and a session's request must carry the session's
/// token (form field `csrf` or header `X-CSRF-Token`). A bearer token is no ambient credential (a
/// browser never adds it by itself), so API calls with one need no CSRF token.
enum CrossSiteCheck {
    static let tokenHeader = HTTPField.Name("X-CSRF-Token")!
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// Throws ``ConsoleError/crossSite`` unless the request came from the console's own pages.
    /// - Parameter needsToken: Whether the route needs the session's token (every route but the
    ///   sign-in form itself, which an old session's cookie may reach).
    static func check(_ request: Request, form: [String: String], caller: ConsoleCaller?, secure: Bool, needsToken: Bool) throws(ConsoleError) {
        if case .token = caller?.credential { return }
        guard isSameOrigin(request, secure: secure) else { throw .crossSite }
        guard needsToken, let session = caller?.session else { return }
        let sent = request.headers[tokenHeader] ?? form["csrf"] ?? ""
        guard SecretToken.equal(sent, session.csrfToken) else { throw .crossSite }
    }

    /// Whether `Origin` names this console (`scheme://Host`), or the browser says the request is
    /// same-origin; a request with neither header is not from a browser page at all.
    static func isSameOrigin(_ request: Request, secure: Bool) -> Bool {
        if let origin = request.headers[.origin] {
            guard let host = request.head.authority else { return false }
            return origin.lowercased() == "\(secure ? "https" : "http")://\(host.lowercased())"
        }
        if let site = request.headers[fetchSite] { return site == "same-origin" || site == "none" }
        return true
    }
}
