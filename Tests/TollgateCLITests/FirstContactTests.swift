import Foundation
import Testing

/// What a new user meets: `tollgate serve` with flags alone in an empty folder, then the store
/// commands in the same folder, with no configuration file anywhere.
@Suite("First contact: store commands find the store serve left", .serialized)
struct FirstContactTests {
    static func emptyFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-first-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test("after serve --pbx --listen in an empty folder, ban list, events, cdr list and account list work there")
    func storeCommandsAfterServe() throws {
        let folder = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let serve = Process()
        serve.executableURL = TollgateBinary.url
        serve.arguments = ["serve", "--pbx", "udp:127.0.0.20:5080", "--listen", "udp:127.0.0.1:\(Int.random(in: 30_000...39_000))"]
        serve.currentDirectoryURL = URL(fileURLWithPath: folder)
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: folder + "/tollgate.db"), Date() < deadline, serve.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        serve.terminate()
        serve.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: folder + "/tollgate.db"))

        for command in [["ban", "list"], ["events"], ["cdr", "list"], ["account", "list"]] {
            let output = try TollgateBinary.run(command, directory: folder)
            #expect(output.status == 0, "tollgate \(command.joined(separator: " ")): \(output.stderr)")
            #expect(!output.stderr.contains("no configuration"))
        }
    }

    @Test("--store names the file, in another folder, with no configuration")
    func explicitStore() throws {
        let folder = try Self.emptyFolder()
        let elsewhere = try Self.emptyFolder()
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        let path = folder + "/site.db"
        let add = try TollgateBinary.run(["ban", "add", "192.0.2.66", "--store", path, "--reason", "seen scanning"], directory: elsewhere)
        #expect(add.status == 0, "\(add.stderr)")
        let list = try TollgateBinary.run(["ban", "list", "--store", path], directory: elsewhere)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("192.0.2.66"))
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/tollgate.db"))
    }

    @Test("with no store, no configuration and no tollgate.db, the error says what to give")
    func nothingHere() throws {
        let folder = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try TollgateBinary.run(["ban", "list"], directory: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains("--store"))
        #expect(output.stderr.contains("tollgate.db"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/tollgate.db"))
    }

    @Test("a postgres:// store is refused with its password hidden")
    func postgresRedacted() throws {
        let folder = try Self.emptyFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = try TollgateBinary.run(["ban", "list", "--store", "postgres://tollgate:s3cret@127.0.0.1:5432/tollgate"], directory: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains("PostgreSQL"))
        #expect(!output.stderr.contains("s3cret"))
    }
}

@Suite("Opening the store: what fails is said")
struct StoreOpeningErrorTests {
    @Test("a --store file that is not an SQLite database exits 1 naming the path, and is left as it was")
    func notADatabase() throws {
        let folder = try FirstContactTests.emptyFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/notes.db"
        let text = Data(String(repeating: "these are not the calls you are looking for\n", count: 200).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        let output = try TollgateBinary.run(["ban", "list", "--store", path], directory: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains("cannot open the store at \(path)"), "\(output.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test("a configuration that does not load is reported by a store command, with no store opened")
    func badConfiguration() throws {
        let folder = try FirstContactTests.emptyFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "listeners: [{ listen: udp:127.0.0.1:5070 }]\npbx: nowhere\n".write(toFile: folder + "/tollgate.yaml", atomically: true, encoding: .utf8)
        let output = try TollgateBinary.run(["events"], directory: folder)
        #expect(output.status == 1)
        #expect(output.stderr.contains("tollgate.yaml"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/tollgate.db"))
    }
}
