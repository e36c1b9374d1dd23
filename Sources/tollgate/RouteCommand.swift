import ArgumentParser
import TollgateConfig
import TollgateGateway

/// `tollgate route test NUMBER`.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Inspect call routing.",
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which route rule and trunks a call to NUMBER would use.")

        @Argument(help: "The dialled number, as the PBX sends it.")
        var number: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try options.loadOrExit()
            guard let (rule, trunks) = config.route(for: number) else {
                print("\(number): no route matches; the call would be refused (503)")
                throw ExitCode(1)
            }
            let prefix = rule.prefix.isEmpty ? "(default)" : rule.prefix
            print("\(number): rule \(rule.name ?? prefix) (prefix \(prefix))")
            var dialled = String(number.dropFirst(rule.stripDigits))
            dialled = rule.prependDigits + dialled
            if dialled != number { print("  sent as \(dialled)") }
            let status = GatewayStatus.read(from: GatewayStatus.path(forStore: config.store.path))
            let ordered = trunks.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
            for (index, trunk) in ordered.enumerated() {
                var state = status.map { $0.trunksUp[trunk.name] == true ? "up" : "DOWN" } ?? "state unknown"
                if let registration = status?.registrations?[trunk.name] {
                    state += ", " + Self.describe(registration)
                }
                print("  \(index + 1). \(trunk.name) \(trunk.endpoint) priority \(trunk.priority): \(state)")
            }
            if let status {
                let first = ordered.first { status.trunksUp[$0.name] == true }
                print(first.map { "  now: \($0.name)" } ?? "  now: no trunk is up; the call would be refused (503)")
            } else {
                print("  (no running gateway reports state here; start `tollgate serve` to see which trunks are up)")
            }
        }

        /// A trunk registration in a few words: `registered for 3600 s`, `registration failed: answered 403`.
        static func describe(_ registration: RegistrationStatus) -> String {
            switch registration.state {
            case "registered":
                return "registered" + (registration.expires.map { " for \($0) s" } ?? "")
            case "failed":
                return "registration failed" + (registration.lastFailure.map { ": \($0)" } ?? "")
            default:
                return "registration \(registration.state)"
            }
        }
    }
}
