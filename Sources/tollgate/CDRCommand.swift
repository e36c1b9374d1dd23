import ArgumentParser

/// `tollgate cdr …`: call detail records.
struct CDRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdr",
        abstract: "Call detail records: analyse a PBX's CDR file with the fraud rules.",
        subcommands: [CDRAnalyzeCommand.self]
    )
}
