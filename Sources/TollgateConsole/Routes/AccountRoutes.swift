import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// Fraud control's accounts: counters and suspensions for everyone; operators resume, suspend
/// and reset them: `/accounts`, `GET /api/v1/accounts`, `POST /api/v1/accounts/:account/{resume,suspend,reset}`.
extension RouteTable {
    mutating func addAccounts() {
        let console = self.console

        page(.get, "/accounts", .role(.viewer)) { _, context in
            try await console.accountsPage(context: context, notice: nil)
        }

        for action in AccountAction.allCases {
            page(.post, "/accounts/\(action.rawValue)", .role(.operator)) { input, context in
                let notice = try await console.apply(action, account: input["account"] ?? "", reason: input["reason"], context: context)
                return try await console.accountsPage(context: context, notice: notice)
            }
            api(.post, "/api/v1/accounts/:account/\(action.rawValue)", .role(.operator)) { input, context in
                struct Body: Decodable { var reason: String? }
                let reason = input.body.readableBytes > 0 ? try input.json(Body.self).reason : nil
                let notice = try await console.apply(action, account: context.parameter("account"), reason: reason, context: context)
                return JSONAnswer.body(["result": notice])
            }
        }

        api(.get, "/api/v1/accounts", .role(.viewer)) { _, _ in
            JSONAnswer.body(Listing(items: try await console.accounts(), next: nil))
        }
    }
}

/// What an operator can do to an account.
enum AccountAction: String, CaseIterable, Sendable {
    case resume, suspend, reset
}

/// An account as the console lists it: its last counters and its suspension, if any.
struct AccountView: Encodable {
    var account: String
    var group: String?
    var classOfService: String?
    var concurrentCalls: Int
    var callsLastMinute: Int
    var callsToday: Int
    var internationalLastHour: Int
    var minutesToday: Double
    var countersTime: Date?
    var suspended: Bool
    var suspendedSince: Date?
    var suspensionRule: String?
    var suspensionReason: String?
}

extension Console {
    func accounts() async throws(ConsoleError) -> [AccountView] {
        do {
            let snapshots = try await store.accountSnapshots()
            let suspensions = Dictionary(try await store.activeSuspensions().map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
            var views: [String: AccountView] = [:]
            for snapshot in snapshots {
                let suspension = suspensions[snapshot.account]
                views[snapshot.account] = AccountView(
                    account: snapshot.account, group: snapshot.group, classOfService: snapshot.classOfService, concurrentCalls: snapshot.concurrentCalls,
                    callsLastMinute: snapshot.callsLastMinute, callsToday: snapshot.callsToday, internationalLastHour: snapshot.internationalLastHour,
                    minutesToday: snapshot.minutesToday, countersTime: snapshot.time, suspended: suspension != nil, suspendedSince: suspension?.since,
                    suspensionRule: suspension?.rule, suspensionReason: suspension?.reason)
            }
            for (account, suspension) in suspensions where views[account] == nil {
                views[account] = AccountView(account: account, concurrentCalls: 0, callsLastMinute: 0, callsToday: 0, internationalLastHour: 0,
                                             minutesToday: 0, suspended: true, suspendedSince: suspension.since, suspensionRule: suspension.rule,
                                             suspensionReason: suspension.reason)
            }
            return views.values.sorted { ($0.suspended ? 0 : 1, $0.account) < ($1.suspended ? 0 : 1, $1.account) }
        } catch {
            throw .storeUnavailable
        }
    }

    func accountsPage(context: ConsoleContext, notice: String?) async throws(ConsoleError) -> Response {
        let rows = try await accounts().map { view -> [String: Any] in
            ["account": view.account, "group": view.group ?? "", "class": view.classOfService ?? "", "concurrent": view.concurrentCalls,
             "lastMinute": view.callsLastMinute, "today": view.callsToday, "international": view.internationalLastHour,
             "minutes": String(format: "%.1f", view.minutesToday), "suspended": view.suspended,
             "since": view.suspendedSince.map(ConsoleFormat.time) ?? "", "rule": view.suspensionRule ?? "", "reason": view.suspensionReason ?? ""]
        }
        return pages.respond("accounts", PageModel(title: "Accounts", caller: context.caller, notice: notice, content: ["rows": rows], current: "/accounts"))
    }

    /// Resumes, suspends or resets an account's counters, and logs it; returns what was done.
    func apply(_ action: AccountAction, account raw: String, reason: String?, context: ConsoleContext) async throws(ConsoleError) -> String {
        let account = raw.trimmingCharacters(in: .whitespaces)
        guard !account.isEmpty, account.count <= 64 else { throw ConsoleError(.badRequest, "name an account (at most 64 characters)", field: "account") }
        guard (reason ?? "").count <= 200 else { throw ConsoleError(.badRequest, "the reason is longer than 200 characters", field: "reason") }
        let actor = context.caller?.actor ?? "?"
        let now = now()
        do {
            switch action {
            case .resume:
                let record = try await store.suspension(account: account)
                guard try await store.liftSuspension(account: account, at: now) else {
                    throw ConsoleError(.notFound, "\(account) is not suspended", field: "account")
                }
                await audit(actor, from: context.sourceText, "account.resume", target: account,
                            before: record.map { "suspended by \($0.rule): \($0.reason)" }, after: "active")
                return "Resumed \(account)."
            case .suspend:
                let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                let text = why.isEmpty ? "suspended from the console by \(context.caller?.user ?? "?")" : why
                try await store.saveSuspension(AccountSuspension(account: account, since: now, rule: "operator", reason: text))
                await audit(actor, from: context.sourceText, "account.suspend", target: account, before: "active", after: text)
                return "Suspended \(account)."
            case .reset:
                try await store.requestCounterReset(account: account, at: now)
                await audit(actor, from: context.sourceText, "account.reset", target: account, after: "counters reset")
                return "Reset the counters of \(account)."
            }
        } catch let error as ConsoleError {
            throw error
        } catch {
            throw .storeUnavailable
        }
    }
}
