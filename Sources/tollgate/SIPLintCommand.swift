import ArgumentParser
import Foundation
import SIPCore

/// `tollgate sip lint FILE…`: parses and validates captured messages.
struct SIPLintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Parse and validate SIP messages, one per file ('-' reads standard input).",
        discussion: """
            Each file holds one message as it was received (a datagram, or one message cut from a stream).
            Prints 'ok' or the rule the message breaks with its byte offset. Exits 0 only if every
            message is ok, 1 if any is not, 2 if a file cannot be read.
            """
    )

    @Argument(help: "Message files; '-' for standard input.")
    var files: [String]

    @Flag(name: .long, help: "Print one JSON object per file, as a JSON array.")
    var json = false

    @Flag(name: .long, help: "Check as a user agent rather than a proxy: Max-Forwards 0 is not an error.")
    var endpoint = false

    @Option(name: .long, help: "Largest message accepted, in bytes.")
    var maxSize = SIPParserLimits.default.maximumMessageSize

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one file, or '-' for standard input.") }
        guard maxSize > 0 else { throw ValidationError("--max-size must be positive.") }
    }

    func run() async throws {
        var options = SIPValidationOptions.proxy
        options.forwarding = !endpoint
        let limits = SIPParserLimits(maximumMessageSize: maxSize)
        var results: [SIPLintResult] = []
        var unreadable = false
        for file in files {
            let bytes: [UInt8]
            do {
                bytes = try Self.read(file)
            } catch {
                results.append(SIPLintResult(file: file, unreadable: error.localizedDescription))
                unreadable = true
                continue
            }
            results.append(SIPLintResult.check(file: file, bytes: bytes, limits: limits, options: options))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(results)
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            for result in results { print(result.line) }
        }
        if unreadable { throw ExitCode(2) }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// The verdict on one file.
struct SIPLintResult: Encodable {
    var file: String
    var ok: Bool
    /// `parse` for syntax the parser refuses, `validate` for a rule of ``SIPMessage/validate(_:)``,
    /// `read` for a file that cannot be read.
    var stage: String?
    var rule: String?
    var offset: Int?
    var header: String?
    var detail: String?
    /// The status a proxy answers such a request with.
    var status: Int?

    init(file: String, unreadable reason: String) {
        self.file = file
        self.ok = false
        self.stage = "read"
        self.rule = "unreadable"
        self.detail = reason
    }

    init(file: String, ok: Bool) {
        self.file = file
        self.ok = ok
    }

    static func check(file: String, bytes: [UInt8], limits: SIPParserLimits, options: SIPValidationOptions) -> SIPLintResult {
        var result = SIPLintResult(file: file, ok: false)
        do {
            let message = try SIPMessage(parsing: bytes, limits: limits)
            do {
                try message.validate(options)
                result.ok = true
            } catch {
                result.stage = "validate"
                result.rule = error.rule.rawValue
                result.offset = error.offset
                result.header = error.header?.text
                result.detail = error.detail
                result.status = message.isRequest ? error.status : nil
            }
        } catch {
            result.stage = "parse"
            result.rule = error.rule
            result.offset = error.offset
            result.header = error.header?.text
            result.detail = error.detail
            result.status = 400
        }
        return result
    }

    var line: String {
        if ok { return "\(file): ok" }
        var out = "\(file): \(rule ?? "error")"
        if let offset { out += " at byte \(offset)" }
        if let detail { out += ": \(detail)" }
        return out
    }
}
