import Foundation
import Hummingbird
import TollgateModel
import TollgateStore

/// The audit log (every sign-in and every change), newest first, and whether its hash chain is
/// intact: `/audit-log`, `GET /api/v1/audit-log`.
extension RouteTable {
    mutating func addAuditLog() {
        let console = self.console

        page(.get, "/audit-log", .role(.viewer)) { input, context in
            let entries = try await console.auditEntries(since: try PageSize.time(input["since"], field: "since", now: console.now()))
            let problem = try await console.auditProblem()
            let rows = entries.map { entry -> [String: Any] in
                ["time": ConsoleFormat.time(entry.time), "actor": entry.actor, "source": entry.source, "action": entry.action, "target": entry.target,
                 "before": entry.before ?? "", "after": entry.after ?? ""]
            }
            return console.pages.respond("audit", PageModel(title: "Audit log", caller: context.caller, message: problem.map { "The chain is broken: \($0)" },
                                                            notice: problem == nil ? "The hash chain is intact." : nil,
                                                            content: ["rows": rows, "since": input["since"] ?? ""], current: "/audit-log"))
        }

        api(.get, "/api/v1/audit-log", .role(.viewer)) { input, _ in
            let entries = try await console.auditEntries(since: try PageSize.time(input["since"], field: "since", now: console.now()))
            return JSONAnswer.body(Listing(items: entries, next: nil))
        }
    }
}

extension Console {
    /// The most entries one page of the audit log shows.
    static let auditPage = 1000

    /// The newest ``auditPage`` entries at or after `since`, newest first.
    func auditEntries(since: Date?) async throws(ConsoleError) -> [AuditLogEntry] {
        do {
            if let since { return Array(try await store.auditEntries(since: since, limit: 100_000).suffix(Self.auditPage).reversed()) }
            let chain = try await store.auditChain()
            return Array(chain.entries.suffix(Self.auditPage).reversed())
        } catch {
            throw .storeUnavailable
        }
    }

    /// What breaks the chain, or `nil` when it is intact.
    func auditProblem() async throws(ConsoleError) -> String? {
        do {
            let chain = try await store.auditChain()
            return AuditChain.firstProblem(entries: chain.entries, headHash: chain.headHash, headCount: chain.headCount)
        } catch {
            throw .storeUnavailable
        }
    }
}
