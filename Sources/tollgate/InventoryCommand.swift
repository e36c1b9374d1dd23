import ArgumentParser
import Foundation
import TollgateAudit
import TollgateModel

/// `tollgate inventory`: the devices of the phone system, as the gateway saw them and the operator
/// described them, with what the lifecycle table says about each.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "The phone system's devices: list, show, import and export (CSV).",
        discussion: """
            The gateway adds every phone whose REGISTER or call succeeds through it, the PBX and the \
            trunks, with vendor, model and firmware read from what they announce. Owner, department, \
            location and notes are the operator's: fill them in with 'inventory import', which merges \
            by address and extension (and adds the desk phones the gateway never sees).
            """,
        subcommands: [List.self, Show.self, Import.self, Export.self]
    )

    /// A device with its findings, as `--json` prints it.
    struct Listing: Encodable {
        var device: InventoryDevice
        var product: String?
        var findings: [AuditFinding]
    }

    static func review() throws -> InventoryReview {
        do {
            return try InventoryReview.shipped()
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The worst finding's check, shortened for a table cell.
    static func summary(_ findings: [AuditFinding]) -> String {
        let shown = findings.filter { $0.severity >= .medium }.sorted { $0.severity > $1.severity }
        guard !shown.isEmpty else { return "-" }
        let names = shown.map { finding -> String in
            switch finding.check {
            case "end-of-life": "END OF LIFE"
            case "known-vulnerable": finding.why.components(separatedBy: CharacterSet(charactersIn: " :,")).first { $0.hasPrefix("CVE-") } ?? "VULNERABLE"
            case "support-ending": "support ends soon"
            case "outdated-softphone": "outdated"
            default: finding.check
            }
        }
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        return unique.joined(separator: ", ")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the devices, each with its firmware and what the lifecycle table says.")

        @Flag(name: .long, help: "Print a JSON array instead of a table.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let review = try InventoryCommand.review()
            let devices = try await store.inventory()
            let now = Date()
            if json {
                let listings = devices.map { Listing(device: $0, product: review.product(of: $0), findings: review.findings(for: $0, at: now)) }
                print(String(decoding: try InventoryCommand.encoder().encode(listings), as: UTF8.self))
                return
            }
            guard !devices.isEmpty else {
                print("no devices yet: they appear as they register or call through the gateway, or with 'tollgate inventory import'")
                return
            }
            var table = TextTable("DEVICE", "ROLE", "VENDOR", "MODEL", "FIRMWARE", "LAST SEEN", "OWNER", "FINDINGS")
            for device in devices {
                table.append([
                    device.key, device.role.rawValue, device.vendor ?? "-", device.model ?? "-", device.firmware ?? "-",
                    Timestamp.text(device.lastSeen), device.owner ?? "-", InventoryCommand.summary(review.findings(for: device, at: now)),
                ])
            }
            print(table.rendered)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one device: everything known about it and each finding with how to fix it.",
            discussion: "DEVICE is ADDRESS or ADDRESS/EXTENSION, as 'inventory list' prints it. Exits 1 for a device not in the inventory.")

        @Argument(help: "ADDRESS or ADDRESS/EXTENSION.")
        var device: String

        @Flag(name: .long, help: "Print a JSON object instead of text.")
        var json = false

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let parts = device.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, let address = IPAddress(first) else {
                printError("'\(device)' is not ADDRESS or ADDRESS/EXTENSION")
                throw ExitCode(2)
            }
            let store = try await options.openStoreOrExit()
            guard let found = try await store.inventoryDevice(address: address.description, ext: parts.count > 1 ? parts[1] : "") else {
                printError("no device \(device) in the inventory")
                throw ExitCode(1)
            }
            let review = try InventoryCommand.review()
            let findings = review.findings(for: found, at: Date())
            if json {
                print(String(decoding: try InventoryCommand.encoder().encode(Listing(device: found, product: review.product(of: found),
                                                                                     findings: findings)), as: UTF8.self))
                return
            }
            let rows: [(String, String?)] = [
                ("device", found.key), ("role", found.role.rawValue), ("vendor", found.vendor), ("model", found.model),
                ("firmware", found.firmware), ("product line", review.product(of: found)), ("user agent", found.userAgent),
                ("first seen", Timestamp.text(found.firstSeen)), ("last seen", Timestamp.text(found.lastSeen)),
                ("firmware changed", found.firmwareChanged.map(Timestamp.text)), ("owner", found.owner), ("department", found.department),
                ("location", found.location), ("notes", found.notes),
            ]
            for (name, value) in rows { print("\(name.padding(toLength: 17, withPad: " ", startingAt: 0))\(TextTable.printable(value ?? "-"))") }
            if findings.isEmpty {
                print("\nno findings: the lifecycle table knows nothing against this device's version")
            }
            for finding in findings {
                print("\n[\(finding.severity.rawValue)] \(finding.check): \(TextTable.printable(finding.why))")
                print("  fix: \(finding.fix)")
                if let source = finding.source { print("  source: \(source)") }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a CSV file into the inventory by address and extension.",
            discussion: """
                The header names the columns: \(InventoryCSV.header) (address is required; the others may \
                be left out). Owner, department, location and notes of known devices are replaced by the \
                file's non-empty values; devices not known yet are added. The whole file is checked \
                first: a row that does not read (exit 2) stops the import before anything is written.
                """)

        @Argument(help: "The CSV file.")
        var file: String

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let read: (devices: [InventoryDevice], errors: [InventoryCSV.RowError])
            do {
                read = try InventoryCSV.read(path: file, now: Date())
            } catch let error as CLIError {
                printError(error.message)
                throw ExitCode(2)
            } catch {
                printError("\(file): \(error)")
                throw ExitCode(2)
            }
            guard read.errors.isEmpty else {
                for error in read.errors.prefix(10) { printError("\(file): \(error)") }
                if read.errors.count > 10 { printError("\(file): \(read.errors.count - 10) more rows do not read") }
                printError("nothing imported")
                throw ExitCode(2)
            }
            let store = try await options.openStoreOrExit()
            var added = 0
            for device in read.devices where try await store.saveInventoryDetails(device) { added += 1 }
            print("imported \(read.devices.count) devices from \(file): \(added) added, \(read.devices.count - added) updated")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the inventory as CSV (the format 'inventory import' reads).")

        @Option(name: .long, help: "Write to this file instead of standard output.")
        var output: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try await options.openStoreOrExit()
            let devices = try await store.inventory()
            let text = ([InventoryCSV.header] + devices.map(InventoryCSV.line)).joined(separator: "\n") + "\n"
            if let output {
                do {
                    try text.write(toFile: output, atomically: true, encoding: .utf8)
                } catch {
                    printError("cannot write \(output): \(error.localizedDescription)")
                    throw ExitCode(1)
                }
                print("exported \(devices.count) devices to \(output)")
            } else {
                print(text, terminator: "")
            }
        }
    }
}
