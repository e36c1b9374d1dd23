import Foundation
import Hummingbird
import NIOCore
import TollgateModel
import TollgateStore

/// Call detail records searched by number, account and time, a page at a time, and exported as
/// CSV: `/calls`, `/calls.csv`, `GET /api/v1/calls`.
extension RouteTable {
    mutating func addCalls() {
        let console = self.console

        page(.get, "/calls", .role(.viewer)) { input, context in
            let (calls, next) = try await console.calls(input)
            let rows = calls.map { call -> [String: Any] in
                ["start": ConsoleFormat.time(call.start), "from": call.from, "to": call.to, "class": call.destinationClass ?? "",
                 "account": call.account, "trunk": call.trunk ?? "", "disposition": call.disposition.rawValue,
                 "duration": ConsoleFormat.duration(call.billableSeconds), "cause": call.cause.map(String.init) ?? "", "callID": call.callID,
                 "identity": call.identity ?? ""]
            }
            let filters: [(String, String?)] = [("number", input["number"]), ("account", input["account"]), ("since", input["since"]),
                                                ("until", input["until"]), ("limit", input["limit"])]
            let content: [String: Any] = [
                "rows": rows, "number": input["number"] ?? "", "account": input["account"] ?? "", "since": input["since"] ?? "",
                "until": input["until"] ?? "",
                "next": next.map { ["/calls" + ConsoleFormat.query(filters + [("cursor", $0.description)])] } ?? [],
                "csv": "/calls.csv" + ConsoleFormat.query(filters.filter { $0.0 != "limit" }),
            ]
            return console.pages.respond("calls", PageModel(title: "Calls", caller: context.caller, content: content, current: "/calls"))
        }

        add(.get, "/calls.csv", .role(.viewer), .resource) { input, _ in
            try await console.callsCSV(input)
        }

        api(.get, "/api/v1/calls", .role(.viewer)) { input, _ in
            let (calls, next) = try await console.calls(input)
            return JSONAnswer.body(Listing(items: calls, next: next?.description))
        }
    }
}

extension Console {
    /// The most rows one CSV export holds.
    static let csvLimit = 100_000

    func callQuery(_ input: ConsoleInput, limit: Int) throws(ConsoleError) -> CDRQuery {
        let now = now()
        return CDRQuery(since: try PageSize.time(input["since"], field: "since", now: now), until: try PageSize.time(input["until"], field: "until", now: now),
                        account: input["account"].nonEmpty, limit: limit, number: input["number"].nonEmpty, before: try PageSize.cursor(input["cursor"]))
    }

    /// A page of calls for the filters in `input` (`number`, `account`, `since`, `until`, `cursor`, `limit`).
    func calls(_ input: ConsoleInput) async throws(ConsoleError) -> ([CallDetailRecord], PageCursor?) {
        let limit = try PageSize.read(input["limit"])
        let calls: [CallDetailRecord]
        do { calls = try await store.cdrs(try callQuery(input, limit: limit + 1)) } catch let error as ConsoleError { throw error } catch {
            throw .storeUnavailable
        }
        let page = Array(calls.prefix(limit))
        let next = calls.count > limit ? page.last.flatMap { call in call.id.map { PageCursor(time: call.start, id: $0) } } : nil
        return (page, next)
    }

    /// The calls matching the filters as CSV (at most ``csvLimit``), cells that a spreadsheet would
    /// run as a formula prefixed with `'`.
    func callsCSV(_ input: ConsoleInput) async throws(ConsoleError) -> Response {
        let calls: [CallDetailRecord]
        do { calls = try await store.cdrs(try callQuery(input, limit: Self.csvLimit)) } catch let error as ConsoleError { throw error } catch {
            throw .storeUnavailable
        }
        var text = "start,answer,end,call_id,direction,from,to,class,account,source,trunk,disposition,cause,billsec,identity\r\n"
        for call in calls {
            let cells = [ConsoleFormat.time(call.start), call.answer.map(ConsoleFormat.time) ?? "", ConsoleFormat.time(call.end), call.callID,
                         call.direction.rawValue, call.from, call.to, call.destinationClass ?? "", call.account, call.source, call.trunk ?? "",
                         call.disposition.rawValue, call.cause.map(String.init) ?? "", String(Int(call.billableSeconds)), call.identity ?? ""]
            text += cells.map(CSVCell.escape).joined(separator: ",") + "\r\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"calls.csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// One CSV cell: quoted when needed, and defused when a spreadsheet would take it as a formula
/// (a caller's number or name is hostile text).
enum CSVCell {
    static func escape(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first), !(first == "+" && value.dropFirst().allSatisfy(\.isNumber)) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
