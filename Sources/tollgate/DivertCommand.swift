import ArgumentParser
import Foundation
import TollgateConsole
import TollgateModel

/// `tollgate divert`: "divert now" from the command line.
struct DivertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "divert",
        abstract: "Divert inbound calls to the fallback now (office unreachable), or send them to the PBX again.",
        discussion: """
            'divert on' sends every inbound call to the configured fallback (fallback: {target, trunks}) \
            instead of the PBX; 'divert off' sends them to the PBX again. A running gateway applies \
            the switch within a second; each switch is in the audit log.
            """,
        subcommands: [On.self, Off.self, Status.self]
    )

    struct On: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Divert inbound calls to the fallback. Exits 1 if no fallback is configured.")

        @Option(name: .long, help: "Why (shown on every console page while it is on).")
        var reason: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await DivertCommand.set(on: true, reason: reason, options: options)
        }
    }

    struct Off: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send inbound calls to the PBX again.")

        @Option(name: .long, help: "A note for the audit log.")
        var reason: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await DivertCommand.set(on: false, reason: reason, options: options)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether inbound calls are diverted.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            if let state = try await store.divert() {
                print("on since \(Timestamp.text(state.since)), by \(state.actor): \(state.reason)")
            } else {
                print("off: inbound calls go to the PBX")
            }
        }
    }

    static func set(on: Bool, reason: String?, options: ConfigOptions) async throws {
        let fallback = (try? options.load())?.fallback
        let store = try await options.openStoreOrExit()
        do {
            let state = try await DivertSwitch(store: store, fallback: fallback, actor: AuditLogCommand.localActor, source: "local")
                .set(on: on, reason: reason)
            if let state, let fallback {
                print("divert on since \(Timestamp.text(state.since)): inbound calls go to \(DivertSwitch.destination(fallback))")
            } else {
                print("divert off: inbound calls go to the PBX")
            }
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
