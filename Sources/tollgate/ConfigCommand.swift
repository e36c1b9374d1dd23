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

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            let config: TollgateConfig
            do {
                config = try options.load()
            } catch let error as CLIError {
                printError(error.message)
                throw ExitCode(1)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(config)
            if json {
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
