import ArgumentParser
import Foundation
import TollgateAudit
import TollgateModel

/// `tollgate report`: the living document, as HTML (and Markdown, and PDF when Chromium is there).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the phone system's living document: inventory, update schedule, findings, call flow, posture, runbook, changes.",
        discussion: """
            One HTML file with inline CSS and SVG (nothing is fetched when it is opened). Beside it, FILE.snapshot.json \
            remembers what the report saw, so the next report lists what changed since. --config-dir adds the findings \
            of 'tollgate audit config' on that folder. --pdf prints the document with a headless Chromium when one is \
            installed (chromium, or $TOLLGATE_CHROMIUM).
            """)

    @Option(name: .long, help: "The HTML file to write.")
    var output = "tollgate-report.html"

    @Option(name: .long, help: "Also write the document as Markdown to this file.")
    var markdown: String?

    @Option(name: .long, help: "Also print the document to this PDF file (needs Chromium).")
    var pdf: String?

    @Option(name: .long, help: "A folder of PBX and phone configuration files to review into the report.")
    var configDir: String?

    @Option(name: .long, help: "Whom to call in an incident (NAME and number or e-mail); repeatable.")
    var contact: [String] = []

    @Option(name: .long, help: "Days between updates and reviews.")
    var reviewEvery = 91

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        guard (7...366).contains(reviewEvery) else {
            printError("--review-every must be 7 to 366 days")
            throw ExitCode(2)
        }
        let config = try options.loadOrExit()
        let store = try await options.openStoreOrExit()
        let review = try InventoryCommand.review()
        var inputs = LivingDocument.Inputs(config: config, devices: try await store.inventory(), review: review, now: Date())
        inputs.activeBans = (try? await store.activeBans(at: Date()).count) ?? 0
        inputs.contacts = contact
        inputs.lastDrill = try? await store.lastDrillResult()
        inputs.reviewEvery = TimeInterval(reviewEvery) * 86_400
        if let configDir {
            do {
                inputs.otherFindings = try ConfigReview().review(directory: configDir)
            } catch {
                printError("--config-dir \(configDir): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        let snapshotPath = output + ".snapshot.json"
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        if let data = FileManager.default.contents(atPath: snapshotPath) {
            inputs.previous = try? decoder.decode(LivingDocument.Snapshot.self, from: data)
        }
        let document = LivingDocument(inputs)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try document.html().write(toFile: output, atomically: true, encoding: .utf8)
            try encoder.encode(document.snapshot).write(to: URL(fileURLWithPath: snapshotPath), options: .atomic)
            if let markdown { try document.markdown().write(toFile: markdown, atomically: true, encoding: .utf8) }
        } catch {
            printError("cannot write the report: \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print("wrote \(output) (\(inputs.devices.count) devices, \(document.findings.count) findings)" + (markdown.map { " and \($0)" } ?? ""))
        if let pdf { try Self.printPDF(html: output, to: pdf) }
    }

    /// Chromium headless prints the HTML file to PDF.
    static func printPDF(html: String, to pdf: String) throws {
        let candidates = [ProcessInfo.processInfo.environment["TOLLGATE_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser",
                          "/usr/bin/google-chrome"].compactMap { $0 }
        guard let chromium = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            printError("--pdf needs Chromium (apt-get install chromium, or TOLLGATE_CHROMIUM=/path); the HTML report is written")
            throw ExitCode(1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                             "--print-to-pdf=\(URL(fileURLWithPath: pdf).path)", URL(fileURLWithPath: html).absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: pdf) else {
            printError("Chromium could not print \(pdf) (exit \(process.terminationStatus))")
            throw ExitCode(1)
        }
        print("wrote \(pdf)")
    }
}
