import Foundation
import Hummingbird
import TollgateModel

/// "Divert now" from the console: a button on the status page and `POST /api/v1/divert`, for
/// operators; while it is on every page says so.
extension RouteTable {
    mutating func addDivert() {
        let console = self.console

        page(.post, "/divert", .role(.operator)) { input, context in
            let on = input["state"] == "on"
            do throws(DivertSwitch.Refusal) {
                try await console.divertSwitch(context).set(on: on, reason: input["reason"])
            } catch {
                throw ConsoleError(error)
            }
            return RouteTable.redirect("/")
        }

        api(.post, "/api/v1/divert", .role(.operator)) { input, context in
            struct Body: Decodable {
                var on: Bool
                var reason: String?
            }
            let body = try input.json(Body.self)
            let state: DivertState?
            do throws(DivertSwitch.Refusal) {
                state = try await console.divertSwitch(context).set(on: body.on, reason: body.reason)
            } catch {
                throw ConsoleError(error)
            }
            return JSONAnswer.body(DivertView(state: state, destination: console.config.fallback.map(DivertSwitch.destination)))
        }
    }
}

/// Divert as the API reports it.
struct DivertView: Encodable {
    var on: Bool
    var since: Date?
    var by: String?
    var reason: String?
    var destination: String?

    init(state: DivertState?, destination: String?) {
        on = state != nil
        since = state?.since
        by = state?.actor
        reason = state?.reason
        self.destination = destination
    }
}

extension Console {
    /// The line every page shows while divert is on.
    func divertBanner(_ state: DivertState) -> String {
        "\(config.fallback.map(DivertSwitch.destination) ?? "the fallback") since \(ConsoleFormat.time(state.since)) UTC, by \(state.actor): \(state.reason)"
    }

    func divertSwitch(_ context: ConsoleContext) -> DivertSwitch {
        DivertSwitch(store: store, fallback: config.fallback, actor: context.caller?.actor ?? "?", source: context.sourceText, now: now())
    }
}

extension ConsoleError {
    init(_ refusal: DivertSwitch.Refusal) {
        switch refusal {
        case .noFallback: self.init(.conflict, refusal.description)
        case .reasonTooLong: self.init(.badRequest, refusal.description, field: "reason")
        case .store: self = .storeUnavailable
        }
    }
}
