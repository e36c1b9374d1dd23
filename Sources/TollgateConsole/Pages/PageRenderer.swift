import Foundation
import TollgateModel
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the console's pages from the Mustache templates bundled with it
/// (`Resources/templates`). `{{x}}` escapes, and the templates use nothing else for data: every
/// string from SIP (User-Agent, display names, numbers, Call-IDs) is hostile text. The one
/// exception is markup the console draws itself (charts, the QR code), built with ``HTMLText``.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    init() throws {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("templates") else {
            throw ConsoleSetupError("the console's page templates are missing from its bundle")
        }
        var library = MustacheLibrary()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            do {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                throw ConsoleSetupError("the page template \(name) does not parse: \(error)")
            }
        }
        guard library.getTemplate(named: "login") != nil else { throw ConsoleSetupError("the console's page templates are missing from \(folder.path)") }
        self.library = library
    }

    /// The page as HTML.
    func render(_ template: String, _ model: PageModel) -> String {
        library.render(model, withTemplate: template) ?? "<!doctype html><title>Tollgate</title><p>The page \(HTMLText.escape(template)) is missing.</p>"
    }

    func respond(_ template: String, _ model: PageModel, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: render(template, model))))
    }

    /// A static file bundled with the console (`Resources/static`), or `nil`.
    static func asset(_ name: String) -> (bytes: ByteBuffer, type: String)? {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }), !name.hasPrefix("."),
              let url = Bundle.module.resourceURL?.appendingPathComponent("static").appendingPathComponent(name),
              let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "application/octet-stream"
        return (ByteBuffer(bytes: data), type)
    }
}

/// What every page shows (title, who is signed in, the navigation, a message) and the page's own
/// content, read by the templates through Mustache's lookup.
struct PageModel {
    struct NavItem {
        var href: String
        var label: String
        var current: Bool
    }

    var title: String
    var user: String?
    var role: String?
    var csrf: String?
    var isOperator = false
    var isAdmin = false
    var nav: [NavItem] = []
    /// A problem to show (a wrong code, a field in error).
    var message: String?
    /// A success to show.
    var notice: String?
    /// Divert-now is on: shown on every page.
    var divert: String?
    var content: Any?

    /// The banner of the request being answered, set by the caller middleware.
    @TaskLocal static var divertBanner: String?

    init(title: String, caller: ConsoleCaller? = nil, message: String? = nil, notice: String? = nil, content: Any? = nil, current: String? = nil) {
        self.title = title
        self.message = message
        self.notice = notice
        self.content = content
        divert = Self.divertBanner
        guard let caller, caller.isSignedIn else { return }
        user = caller.user
        role = caller.role.rawValue
        csrf = caller.session?.csrfToken
        isOperator = caller.role >= .operator
        isAdmin = caller.role >= .admin
        var items: [(String, String)] = [("/", "Status"), ("/events", "Events"), ("/bans", "Bans"), ("/accounts", "Accounts"), ("/alarms", "Alarms"), ("/calls", "Calls"),
                                         ("/routes", "Routes"), ("/audit-log", "Audit log"), ("/sessions", "Sessions")]
        if isAdmin { items += [("/users", "Users"), ("/config", "Configuration")] }
        nav = items.map { NavItem(href: $0.0, label: $0.1, current: $0.0 == current) }
    }
}

/// The console cannot start: a missing or broken bundled file, a certificate that cannot be read.
public struct ConsoleSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
