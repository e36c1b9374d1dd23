import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// Security events, newest first, filtered by kind, source and time and searched by text, a page at a time:
/// `/events` and `GET /api/v1/events`.
extension RouteTable {
    mutating func addEvents() {
        let console = self.console

        page(.get, "/events", .role(.viewer)) { input, context in
            let (events, next) = try await console.events(input)
            let rows = events.map { event -> [String: Any] in
                ["time": ConsoleFormat.time(event.time), "kind": event.kind, "source": event.source, "rule": event.rule, "detail": event.detail,
                 "severity": event.severity.rawValue]
            }
            let filters: [(String, String?)] = [("q", input["q"]), ("kind", input["kind"]), ("source", input["source"]), ("since", input["since"]),
                                                ("limit", input["limit"])]
            let content: [String: Any] = [
                "rows": rows, "q": input["q"] ?? "", "kind": input["kind"] ?? "", "source": input["source"] ?? "", "since": input["since"] ?? "",
                "next": next.map { ["/events" + ConsoleFormat.query(filters + [("cursor", $0.description)])] } ?? [],
                "csv": "/api/v1/events" + ConsoleFormat.query(filters),
            ]
            return console.pages.respond("events", PageModel(title: "Security events", caller: context.caller, content: content, current: "/events"))
        }

        api(.get, "/api/v1/events", .role(.viewer)) { input, _ in
            let (events, next) = try await console.events(input)
            return JSONAnswer.body(Listing(items: events, next: next?.description))
        }
    }
}

extension Console {
    /// A page of events for the filters in `input` (`q`, `kind`, `source`, `since`, `cursor`, `limit`),
    /// and the cursor of the next page.
    func events(_ input: ConsoleInput) async throws(ConsoleError) -> ([SecurityEvent], PageCursor?) {
        let limit = try PageSize.read(input["limit"])
        var query = EventQuery(since: try PageSize.time(input["since"], field: "since", now: now()), kind: input["kind"].nonEmpty,
                               source: input["source"].nonEmpty, before: try PageSize.cursor(input["cursor"]), limit: limit + 1)
        if let text = input["q"].nonEmpty {
            guard text.count <= 100 else { throw ConsoleError(.badRequest, "the search text is longer than 100 characters", field: "q") }
            query.text = text
        }
        let events: [SecurityEvent]
        do { events = try await store.events(query) } catch { throw .storeUnavailable }
        let page = Array(events.prefix(limit))
        let next = events.count > limit ? page.last.flatMap { event in event.id.map { PageCursor(time: event.time, id: $0) } } : nil
        return (page, next)
    }
}

extension Optional where Wrapped == String {
    /// The text trimmed, or `nil` when absent or blank.
    var nonEmpty: String? {
        guard let text = self?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}
