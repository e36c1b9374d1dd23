import Foundation
import Testing

/// Where the shared test corpora live: `$TOLLGATE_CORPORA`, or `../shared/corpora` beside the package.
enum Corpora {
    static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["TOLLGATE_CORPORA"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SIPCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .deletingLastPathComponent()
            .appendingPathComponent("shared/corpora")
    }()

    /// Whether the corpora are there. Under CI (`CI=true`) they are required: the suites run and a
    /// missing corpus fails them; elsewhere, a clone without them skips those suites, saying why.
    static let available: Bool = {
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("rfc4475/MANIFEST.tsv").path)
    }()

    /// ``manifest(_:)`` for a parameterised test's arguments: empty when the corpora are absent
    /// (the suite is then skipped, and says so).
    static func manifestIfAvailable(_ corpus: String) throws -> [Entry] {
        available ? try manifest(corpus) : []
    }

    struct Entry: Sendable, CustomTestStringConvertible {
        var file: String
        var section: String
        var valid: Bool
        var group: String
        var testDescription: String { "\(file) (§\(section))" }
    }

    /// The rows of a corpus manifest (tab-separated, header row first).
    static func manifest(_ corpus: String) throws -> [Entry] {
        let text = try String(contentsOf: root.appendingPathComponent("\(corpus)/MANIFEST.tsv"), encoding: .utf8)
        var lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        guard let file = header.firstIndex(of: "file"), let section = header.firstIndex(of: "section"),
            let verdict = header.firstIndex(of: "valid_or_invalid")
        else { throw CorpusError.badManifest(corpus) }
        let group = header.firstIndex(of: "rfc_group")
        return lines.compactMap { row in
            guard row.count > verdict, row[verdict] == "valid" || row[verdict] == "invalid" else { return nil }
            return Entry(file: row[file], section: row[section], valid: row[verdict] == "valid", group: group.map { row[$0] } ?? "")
        }
    }

    static func bytes(_ corpus: String, _ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("\(corpus)/\(file)")))
    }

    /// Unpacks the PROTOS c07-sip suite once into a temporary folder and returns it.
    static let protosDirectory: Result<URL, CorpusError> = {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-protos-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "xzf", root.appendingPathComponent("protos-c07-sip.tar.gz").path, "-C", target.path]
        do {
            try tar.run()
            tar.waitUntilExit()
        } catch {
            return .failure(.unpackFailed("\(error)"))
        }
        guard tar.terminationStatus == 0 else { return .failure(.unpackFailed("tar exited \(tar.terminationStatus)")) }
        return .success(target.appendingPathComponent("protos-c07-sip"))
    }()

    enum CorpusError: Error {
        case badManifest(String)
        case unpackFailed(String)
    }
}
