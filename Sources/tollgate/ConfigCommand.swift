import ArgumentParser
import Foundation
import TollgateConfig

/// `tollgate config check|show`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check or show the configuration.",
        subcommands: [Check.self, Show.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file; print every error with its line number.")

        @Argument(help: "The configuration file.")
        var file: String

        func run() async throws {
            do {
                let config = try TollgateConfig.load(path: file)
                print("\(file): ok (\(config.listeners.count) listeners, \(config.trunks.count) trunks, \(config.routes.count) routes)")
            } catch {
                print(error.description)
                throw ExitCode(1)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration (file plus command-line overrides); passwords are masked.")

        @OptionGroup var options: ConfigOptions

        @Flag(name: .long, help: "Print the whole configuration as JSON instead of a summary.")
        var json = false

        func run() async throws {
            let config = try options.loadOrExit()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(config), as: UTF8.self))
                return
            }
            for listener in config.listeners { print("listener  \(listener.effectiveName): \(listener.endpoint) (\(listener.zone.rawValue))") }
            print("pbx       \(config.pbx.endpoint)")
            for trunk in config.trunks {
                print("trunk     \(trunk.name): \(trunk.endpoint), priority \(trunk.priority), from \(trunk.allowedSources.map(\.description).joined(separator: ", "))")
            }
            for rule in config.routes {
                print("route     \(rule.prefix.isEmpty ? "(default)" : rule.prefix) -> \(rule.trunks.joined(separator: ", "))")
            }
            print("remote phones \(config.remotePhones ? "on" : "off"), topology hiding \(config.topologyHiding.enabled ? "on" : "off")")
        }
    }
}
