import ArgumentParser
import TollgateModel

/// The `tollgate` command: a SIP security gateway and its tools.
@main
struct Tollgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "Tollgate — a SIP security gateway for business phone networks.",
        version: TollgateVersion.current,
        subcommands: [
            ServeCommand.self, ConfigCommand.self, RouteCommand.self, CertCommand.self, SIPCommand.self, BanCommand.self,
            EventsCommand.self, CDRCommand.self, AccountCommand.self, IdentityCommand.self, InventoryCommand.self, FirewallCommand.self, AuditCommand.self, ReportCommand.self, DrillCommand.self, UserCommand.self, TokenCommand.self, AuditLogCommand.self, DivertCommand.self, NodeCommand.self,
        ]
    )
}
