#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TollgateFraud
import TollgateModel

/// An append-only file of the CDRs not yet in the store, so the answer that ends a call can go out
/// as soon as its CDR is written here, without waiting for the store's commit.
///
/// A record is durable once ``append(_:)`` returns: it is in the kernel's page cache, which a crash
/// of the gateway does not lose (the same promise as SQLite's WAL with `synchronous = NORMAL`).
/// The journal is a series of segment files, `BASE.1`, `BASE.2`, …: the CDR writer starts a new
/// segment each time it takes a batch for the store, and removes the segments whose records are
/// all stored. At start-up, ``recover(base:)`` reads what a stopped gateway left behind.
///
/// Not thread-safe by itself: the CDR writer calls it under its queue's lock only.
final class CallRecordJournal: @unchecked Sendable {
    /// A closed segment and the sequence number of the last record written to it.
    struct Segment: Sendable, Hashable {
        var path: String
        var lastSequence: UInt64
    }

    /// Why the journal cannot be used.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "\(path): \(String(cString: strerror(code)))" }
    }

    let base: String
    private var number: Int
    private var fd: CInt = -1
    private var path: String
    /// Whether the open segment has any record.
    private var written = false

    /// Opens a new segment after any left by an earlier run (which ``recover(base:)`` reads).
    init(base: String) throws(Failure) {
        self.base = base
        self.number = (Self.segments(base: base).last?.number ?? 0) + 1
        self.path = "\(base).\(number)"
        try openSegment()
    }

    deinit {
        if fd >= 0 { closeDescriptor(fd) }
    }

    private func openSegment() throws(Failure) {
        fd = openForAppending(path)
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        written = false
    }

    /// Writes one record's line; `false` when the disk refused it (the caller then waits for the
    /// store instead).
    func append(_ line: [UInt8]) -> Bool {
        guard fd >= 0 else { return false }
        let count = line.withUnsafeBytes { bytes -> Int in
            guard let start = bytes.baseAddress else { return 0 }
            var done = 0
            while done < bytes.count {
                let result = write(fd, start + done, bytes.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                done += result
            }
            return done
        }
        guard count == line.count else { return false }
        written = true
        return true
    }

    /// Closes the open segment and starts the next; returns the closed one (`nil` when it was
    /// empty and was removed at once).
    func rotate(lastSequence: UInt64) throws(Failure) -> Segment? {
        let closed = Segment(path: path, lastSequence: lastSequence)
        let hadRecords = written
        if fd >= 0 { closeDescriptor(fd) }
        fd = -1
        if !hadRecords { unlink(closed.path) }
        number += 1
        path = "\(base).\(number)"
        try openSegment()
        return hadRecords ? closed : nil
    }

    /// Closes the open segment, and removes it when it holds no record.
    func finish() {
        guard fd >= 0 else { return }
        closeDescriptor(fd)
        fd = -1
        if !written { unlink(path) }
    }

    /// Removes a segment whose records are all stored.
    static func remove(_ path: String) {
        unlink(path)
    }

    // MARK: - Recovery

    /// What an earlier run left: its records in the order written, the number of lines that could
    /// not be read (a line cut short by a crash), and the segment files to remove once the
    /// records are stored.
    static func recover(base: String) -> (records: [CallDetailRecord], unreadable: Int, paths: [String]) {
        var records: [CallDetailRecord] = []
        var unreadable = 0
        var paths: [String] = []
        for segment in segments(base: base) {
            paths.append(segment.path)
            guard let data = FileManager.default.contents(atPath: segment.path) else { continue }
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                if let record = CallRecordJournalLine.decode(Array(line)) { records.append(record) } else { unreadable += 1 }
            }
        }
        return (records, unreadable, paths)
    }

    /// The segment files of `base` in the order they were written.
    static func segments(base: String) -> [(number: Int, path: String)] {
        let url = URL(fileURLWithPath: base)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), let number = Int(name.dropFirst(prefix.count)), number > 0 else { return nil }
            return (number, (directory as NSString).appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }
}

private func openForAppending(_ path: String) -> CInt {
    open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
}

private func closeDescriptor(_ fd: CInt) {
    close(fd)
}
