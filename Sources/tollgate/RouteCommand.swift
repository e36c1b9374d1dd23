import ArgumentParser
import TollgateConfig

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
            for (index, trunk) in trunks.enumerated() {
                print("  \(index + 1). \(trunk.name) \(trunk.endpoint) priority \(trunk.priority)\(trunk.probe.enabled ? ", probed every \(trunk.probe.interval) s" : "")")
            }
        }
    }
}
