#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TollgateModel

/// The file where the store writer keeps what the store refused (events, bans, suspensions), so
/// that a gateway stopped while its store is away — `kill -9`, a power cut — writes them at its
/// next start. One JSON ``StoreWrite`` a line.
///
/// The file holds exactly what is owed: the writer appends what the store refused anew, rewrites
/// the file (aside, then renamed over it) when some of what it held was stored since, and removes
/// it once nothing is owed. Writing an owed item twice is harmless: events carry their key, and a
/// ban or suspension saved again is the same record.
///
/// Used by one task at a time (the store writer's).
struct StoreWriteJournal {
    /// Why the journal cannot be written.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    let path: String

    init(path: String) {
        self.path = path
    }

    /// Adds `writes` at the end of the file.
    func append(_ writes: [StoreWrite]) throws(Failure) {
        guard !writes.isEmpty else { return }
        let body = try Self.encode(writes, path: path)
        // Made readable by its owner alone from the first byte.
        if !FileManager.default.fileExists(atPath: path),
           !FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw Failure(path: path, reason: "the file cannot be created")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: body)
        } catch {
            throw Failure(path: path, reason: "\(error)")
        }
    }

    /// Replaces the file with one holding just `writes` (none: the file is removed).
    func replace(with writes: [StoreWrite]) throws(Failure) {
        guard !writes.isEmpty else { return remove() }
        let body = try Self.encode(writes, path: path)
        let temporary = path + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: body, attributes: [.posixPermissions: 0o600]) else {
            throw Failure(path: path, reason: "\(temporary) cannot be written")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure(path: path, reason: reason)
        }
    }

    /// Removes the file: nothing is owed.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// What a stopped gateway left in the file, in order, and the number of lines that could not be
    /// read (a line cut short by a crash).
    func recover() -> (writes: [StoreWrite], unreadable: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        let decoder = JSONDecoder()
        var writes: [StoreWrite] = []
        var unreadable = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if let write = try? decoder.decode(StoreWrite.self, from: Data(line)) { writes.append(write) } else { unreadable += 1 }
        }
        return (writes, unreadable)
    }

    private static func encode(_ writes: [StoreWrite], path: String) throws(Failure) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var body = Data()
        do {
            for write in writes {
                body += try encoder.encode(write)
                body.append(UInt8(ascii: "\n"))
            }
        } catch {
            throw Failure(path: path, reason: "\(error)")
        }
        return body
    }
}
