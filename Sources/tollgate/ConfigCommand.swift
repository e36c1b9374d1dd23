import ArgumentParser
import Foundation
import TollgateConfig
import TollgateShield

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
            let config: TollgateConfig
            do {
                config = try TollgateConfig.load(path: file)
            } catch {
                print(error.description)
                throw ExitCode(1)
            }
            // The scanner fingerprint files it names must load too.
            let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
            let rules: ShieldRules
            do {
                rules = try ShieldRules.load(config: config, baseDirectory: directory)
            } catch {
                print("\(file): \(error)")
                throw ExitCode(1)
            }
            print("\(file): ok (\(config.listeners.count) listeners, \(config.trunks.count) trunks, \(config.routes.count) routes, "
                  + "\(rules.fingerprints.signatures.count) scanner fingerprints)")
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
                print("trunk     \(trunk.name): \(trunk.endpoint), priority \(trunk.priority), from \(trunk.allowedSources.map(\.description).joined(separator: ", "))"
                      + (trunk.srtp.map { ", srtp \($0.rawValue)" } ?? ""))
            }
            for rule in config.routes {
                print("route     \(rule.prefix.isEmpty ? "(default)" : rule.prefix) -> \(rule.trunks.joined(separator: ", "))")
            }
            print("remote phones \(config.remotePhones ? "on" : "off"), topology hiding \(config.topologyHiding.enabled ? "on" : "off")")
            let shield = config.shield
            print("shield    \(shield.enabled ? "on" : "off"): \(shield.allow.count) allowed, \(shield.deny.count) denied, "
                  + "profiles \(shield.profiles.keys.sorted().joined(separator: ", ")), scanners \(shield.blockScanners ? "blocked" : "logged")")
        }
    }
}
