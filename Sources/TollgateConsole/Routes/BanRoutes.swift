import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// Shield's bans: listed for everyone, added (with reason and duration) and lifted by operators:
/// `/bans`, `GET|POST /api/v1/bans`, `DELETE /api/v1/bans/:source`. The store is the one place a
/// ban lives; the gateway picks the change up from it within a second.
extension RouteTable {
    mutating func addBans() {
        let console = self.console

        page(.get, "/bans", .role(.viewer)) { _, context in
            try await console.bansPage(context: context, notice: nil, message: nil)
        }

        page(.post, "/bans", .role(.operator)) { input, context in
            do {
                let ban = try await console.addBan(source: input["source"] ?? "", duration: input["duration"] ?? "", reason: input["reason"] ?? "",
                                                   context: context)
                return try await console.bansPage(context: context, notice: "Banned \(ban.source) until \(ConsoleFormat.time(ban.until)).", message: nil)
            } catch let error as ConsoleError where error.status == .badRequest {
                return try await console.bansPage(context: context, notice: nil, message: error.message, status: .badRequest)
            }
        }

        page(.post, "/bans/lift", .role(.operator)) { input, context in
            let source = input["source"] ?? ""
            let lifted = try await console.liftBan(source: source, context: context)
            return try await console.bansPage(context: context, notice: lifted ? "Lifted the ban on \(source)." : nil,
                                              message: lifted ? nil : "\(source) is not banned.")
        }

        // Sources banned from the console itself for failed sign-ins (not from SIP: an office whose
        // admin mistyped must not lose its phones). Only another admin can lift one.
        page(.post, "/bans/console/lift", .role(.admin)) { input, context in
            let source = input["source"] ?? ""
            let lifted = console.throttle.withLockedValue { throttle -> Bool in
                guard throttle.isBanned(source, at: console.now()) else { return false }
                throttle.lift(source)
                return true
            }
            if lifted {
                await console.audit(context.caller?.actor ?? "?", from: context.sourceText, "console.unban", target: source, before: "banned", after: "lifted")
            }
            return try await console.bansPage(context: context, notice: lifted ? "\(source) may use the console again." : nil,
                                              message: lifted ? nil : "\(source) is not banned from the console.")
        }

        api(.get, "/api/v1/bans", .role(.viewer)) { _, _ in
            do { return JSONAnswer.body(Listing(items: try await console.store.activeBans(at: console.now()), next: nil)) } catch {
                throw ConsoleError.storeUnavailable
            }
        }

        api(.post, "/api/v1/bans", .role(.operator)) { input, context in
            struct Body: Decodable {
                var source: String
                var duration: String?
                var reason: String?
            }
            let body = try input.json(Body.self)
            let ban = try await console.addBan(source: body.source, duration: body.duration ?? "1d", reason: body.reason ?? "", context: context)
            return JSONAnswer.body(ban, status: .created)
        }

        api(.delete, "/api/v1/bans/:source", .role(.operator)) { _, context in
            let source = context.parameter("source")
            guard try await console.liftBan(source: source, context: context) else { throw ConsoleError(.notFound, "\(source) is not banned") }
            return Response(status: .noContent)
        }
    }
}

extension Console {
    func bansPage(context: ConsoleContext, notice: String?, message: String?, status: HTTPResponse.Status = .ok) async throws(ConsoleError) -> Response {
        let now = now()
        let bans: [Ban]
        do { bans = try await store.activeBans(at: now) } catch { throw .storeUnavailable }
        let rows = bans.sorted { $0.since > $1.since }.map { ban -> [String: Any] in
            ["source": ban.source, "since": ConsoleFormat.time(ban.since), "until": ban.until.timeIntervalSince(now) > Double(DurationText.permanentSeconds) / 2
                ? "permanent" : ConsoleFormat.time(ban.until),
             "rule": ban.rule, "reason": ban.reason, "offences": ban.offences, "origin": ban.origin.rawValue]
        }
        let consoleBans = throttle.withLockedValue { $0.bannedSources(at: now) }.map { ban -> [String: Any] in
            ["source": ban.source, "until": ConsoleFormat.time(ban.until)]
        }
        return pages.respond("bans", PageModel(title: "Bans", caller: context.caller, message: message, notice: notice,
                                               content: ["rows": rows, "consoleBans": consoleBans, "hasConsoleBans": !consoleBans.isEmpty],
                                               current: "/bans"), status: status)
    }

    /// Bans `source` for `duration` (`30m`, `7d`, `permanent`) with `reason`, as an operator.
    func addBan(source text: String, duration: String, reason: String, context: ConsoleContext) async throws(ConsoleError) -> Ban {
        guard let address = IPAddress(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConsoleError(.badRequest, "'\(text.prefix(60))' is not an IP address", field: "source")
        }
        let length: DurationText
        do { length = try DurationText(parsing: duration.isEmpty ? "1d" : duration) } catch {
            throw ConsoleError(.badRequest, error.description, field: "duration")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= 200 else { throw ConsoleError(.badRequest, "the reason is longer than 200 characters", field: "reason") }
        let caller = context.caller
        let now = now()
        do {
            let previous = try await store.ban(source: address.description)
            let ban = Ban(source: address.description, since: now, until: now.addingTimeInterval(length.timeInterval), rule: "operator",
                          reason: reason.isEmpty ? "banned from the console by \(caller?.user ?? "?")" : reason,
                          offences: (previous?.offences ?? 0) + 1, origin: .operator_)
            try await store.saveBan(ban)
            await audit(caller?.actor ?? "?", from: context.sourceText, "ban.add", target: ban.source,
                        before: previous.flatMap { $0.isActive(at: now) ? "until \(ConsoleFormat.time($0.until))" : nil },
                        after: "\(length) (\(ban.reason))")
            return ban
        } catch {
            throw .storeUnavailable
        }
    }

    /// Lifts the ban on `source`; false when there was none in force.
    func liftBan(source: String, context: ConsoleContext) async throws(ConsoleError) -> Bool {
        guard let address = IPAddress(source) else { throw ConsoleError(.badRequest, "'\(source.prefix(60))' is not an IP address", field: "source") }
        do {
            let previous = try await store.ban(source: address.description)
            guard try await store.liftBan(source: address.description, at: now()) else { return false }
            await audit(context.caller?.actor ?? "?", from: context.sourceText, "ban.lift", target: address.description,
                        before: previous.map { "until \(ConsoleFormat.time($0.until)) (\($0.reason))" }, after: "lifted")
            return true
        } catch {
            throw .storeUnavailable
        }
    }
}
