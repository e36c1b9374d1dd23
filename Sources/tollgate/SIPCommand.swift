import ArgumentParser

/// `tollgate sip …`: tools that work on SIP messages.
struct SIPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip",
        abstract: "Work with SIP messages.",
        subcommands: [SIPLintCommand.self]
    )
}
