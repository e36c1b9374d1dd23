import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// Fraud alarms (fraud control's events and suspensions), newest first, with who acknowledged
/// each; operators acknowledge them: `/alarms`, `POST /alarms/acknowledge`, `GET /api/v1/alarms`,
/// `POST /api/v1/alarms/:id/acknowledge`.
extension RouteTable {
    mutating func addAlarms() {
        let console = self.console

        page(.get, "/alarms", .role(.viewer)) { input, context in
            try await console.alarmsPage(input, context: context, notice: nil)
        }

        page(.post, "/alarms/acknowledge", .role(.operator)) { input, context in
            let id = Int64(input["id"] ?? "") ?? -1
            let notice = try await console.acknowledgeAlarm(id, note: input["note"], context: context)
            return try await console.alarmsPage(input, context: context, notice: notice)
        }

        api(.get, "/api/v1/alarms", .role(.viewer)) { input, _ in
            let (alarms, next) = try await console.alarms(input)
            return JSONAnswer.body(Listing(items: alarms, next: next?.description))
        }

        api(.post, "/api/v1/alarms/:id/acknowledge", .role(.operator)) { input, context in
            struct Body: Decodable { var note: String? }
            let note = input.body.readableBytes > 0 ? try input.json(Body.self).note : nil
            guard let id = Int64(context.parameter("id")) else { throw ConsoleError(.notFound, "no such alarm") }
            return JSONAnswer.body(["result": try await console.acknowledgeAlarm(id, note: note, context: context)])
        }
    }
}

/// A fraud alarm with its acknowledgement, as the API lists it.
struct AlarmView: Encodable {
    var event: SecurityEvent
    var acknowledgement: AlarmAcknowledgement?
}

extension Console {
    /// The event kinds that are fraud alarms.
    static let alarmKinds = ["fraud", "account-suspended"]

    func alarms(_ input: ConsoleInput) async throws(ConsoleError) -> ([AlarmView], PageCursor?) {
        let limit = try PageSize.read(input["limit"])
        let query = EventQuery(since: try PageSize.time(input["since"], field: "since", now: now()), kinds: Self.alarmKinds,
                               before: try PageSize.cursor(input["cursor"]), limit: limit + 1)
        do {
            let events = try await store.events(query)
            let page = Array(events.prefix(limit))
            let acknowledged = try await store.acknowledgements(eventIDs: page.compactMap(\.id))
            let next = events.count > limit ? page.last.flatMap { event in event.id.map { PageCursor(time: event.time, id: $0) } } : nil
            return (page.map { AlarmView(event: $0, acknowledgement: $0.id.flatMap { acknowledged[$0] }) }, next)
        } catch {
            throw .storeUnavailable
        }
    }

    /// Alarms of the last 7 days nobody has acknowledged (at most 1,000 are looked at).
    func unacknowledgedAlarms() async throws(ConsoleError) -> Int {
        do {
            let events = try await store.events(EventQuery(since: now().addingTimeInterval(-7 * 86_400), kinds: Self.alarmKinds, limit: 1000))
            let acknowledged = try await store.acknowledgements(eventIDs: events.compactMap(\.id))
            return events.count - acknowledged.count
        } catch {
            throw .storeUnavailable
        }
    }

    func alarmsPage(_ input: ConsoleInput, context: ConsoleContext, notice: String?) async throws(ConsoleError) -> Response {
        let (alarms, next) = try await alarms(input)
        let rows = alarms.map { alarm -> [String: Any] in
            ["id": alarm.event.id.map(String.init) ?? "", "time": ConsoleFormat.time(alarm.event.time), "kind": alarm.event.kind, "rule": alarm.event.rule,
             "detail": alarm.event.detail, "severity": alarm.event.severity.rawValue, "acknowledged": alarm.acknowledgement != nil,
             "by": alarm.acknowledgement?.actor ?? "", "at": alarm.acknowledgement.map { ConsoleFormat.time($0.time) } ?? "",
             "note": alarm.acknowledgement?.note ?? ""]
        }
        let content: [String: Any] = ["rows": rows, "next": next.map { ["/alarms" + ConsoleFormat.query([("cursor", $0.description)])] } ?? []]
        return pages.respond("alarms", PageModel(title: "Fraud alarms", caller: context.caller, notice: notice, content: content, current: "/alarms"))
    }

    /// Acknowledges an alarm (the first acknowledgement stands) and logs it.
    func acknowledgeAlarm(_ id: Int64, note raw: String?, context: ConsoleContext) async throws(ConsoleError) -> String {
        let note = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= 200 else { throw ConsoleError(.badRequest, "the note is longer than 200 characters", field: "note") }
        do {
            // Only an alarm can be acknowledged: the event must be one of the alarm kinds.
            var query = EventQuery(kinds: Self.alarmKinds, limit: 1)
            query.id = id
            guard let event = try await store.events(query).first else { throw ConsoleError(.notFound, "no such alarm") }
            let actor = context.caller?.actor ?? "?"
            guard try await store.acknowledge(AlarmAcknowledgement(eventID: id, time: now(), actor: actor, note: note)) else {
                return "Alarm \(id) was acknowledged already."
            }
            await audit(actor, from: context.sourceText, "alarm.acknowledge", target: "\(event.kind) \(id)", before: event.detail,
                        after: note.isEmpty ? "acknowledged" : note)
            return "Acknowledged alarm \(id)."
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw .storeUnavailable
        }
    }
}
