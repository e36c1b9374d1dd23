#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TollgateModel

/// An append-only file of the calls in progress, so a gateway that dies (`kill -9`, a power cut)
/// leaves a record of the calls it was carrying: the long calls an investigation needs most.
///
/// Lines, tab-separated: `s`, the caller's tag and the call's record as it began
/// (``CallRecordJournalLine``); `a`, the call (Call-ID, caller's tag) and its answer time; `e` and the call when its CDR went to the CDR journal, and `h` with a time every few
/// seconds while calls are up (the last moment they were seen alive). The file is rewritten with only
/// the live calls when ended ones make up most of it, and started afresh at each start. At start-up,
/// ``recover(path:)`` turns the calls that began and never ended into ``CallDetailRecord``s with
/// disposition ``CallDetailRecord/Disposition/interrupted``, ending at the last sign of life.
///
/// Confined to the gateway's event loop (`@unchecked Sendable` only so that it can be handed to the
/// hook that runs there, as a channel handler is).
final class CallProgressJournal: @unchecked Sendable {
    /// Why the journal cannot be used.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "\(path): \(String(cString: strerror(code)))" }
    }

    let path: String
    private var fd: CInt = -1
    /// The live calls' lines (their start, then their answer), to rewrite the file from.
    private var live: [CallKey: [UInt8]] = [:]
    private var lines = 0
    private var lastHeartbeat: Date = .distantPast
    /// Whether a write failed since the last success (reported once).
    private(set) var failing = false
    /// How often a heartbeat is written while calls are up.
    static let heartbeatInterval: TimeInterval = 5

    /// Starts a new file at `path` (``recover(path:)`` has read any earlier one).
    init(path: String) throws(Failure) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
    }

    deinit {
        flush()
        if fd >= 0 { close(fd) }
    }

    /// The number of calls in progress the journal knows.
    var count: Int { live.count }

    /// A call began with `record`.
    func began(_ key: CallKey, record: CallDetailRecord) {
        var line: [UInt8] = [UInt8(ascii: "s"), UInt8(ascii: "\t")]
        CallRecordJournalLine.escape(key.callerTag, &line)
        line.append(UInt8(ascii: "\t"))
        line += CallRecordJournalLine.encode(record)
        live[key] = line
        append(line)
    }

    /// A call was answered at `time`.
    func answered(_ key: CallKey, at time: Date) {
        guard live[key] != nil else { return }
        let line = Self.line("a", key, time)
        live[key]? += line
        append(line)
    }

    /// A call ended (its CDR is on its way to the store).
    func ended(_ key: CallKey) {
        guard live.removeValue(forKey: key) != nil else { return }
        append(Self.line("e", key, nil))
    }

    /// Writes the heartbeat while calls are up, and compacts the file when ended calls fill it.
    func housekeeping(at time: Date) {
        if !live.isEmpty, time.timeIntervalSince(lastHeartbeat) >= Self.heartbeatInterval {
            lastHeartbeat = time
            append(Array("h\t\(time.timeIntervalSince1970)\n".utf8))
        }
        if lines > 1_000, lines > 4 * live.count { rewrite() }
    }

    /// Lines of ``began(_:record:)``, ``answered(_:at:)``, ``ended(_:)`` and ``housekeeping(at:)`` not yet
    /// handed to the file (see ``flush()``).
    private var pending: [UInt8] = []

    /// Whether lines wait for ``flush()``.
    var hasPending: Bool { !pending.isEmpty }

    private func append(_ line: [UInt8]) {
        guard fd >= 0 else { return }
        pending += line
        lines += 1
        if !deferred { flush() }
    }

    /// Whether lines wait in memory for ``flush()`` instead of being written at once: the message
    /// that began, answered or ended a call then leaves before the file is written, and the lines of
    /// one turn of the event loop go to the file in one write. A gateway killed between the two
    /// loses the lines of that turn at most, which the recovery treats as calls that never began
    /// (or, for an end, as a call whose CDR it finds stored).
    var deferred = false

    /// Writes the lines that wait, in one `write`.
    func flush() {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        guard fd >= 0 else { return }
        let written = pending.withUnsafeBytes { bytes -> Bool in
            guard let start = bytes.baseAddress else { return true }
            var done = 0
            while done < bytes.count {
                let result = write(fd, start + done, bytes.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += result
            }
            return true
        }
        failing = !written
    }

    /// Replaces the file with one holding only the live calls (written aside, then renamed over it).
    private func rewrite() {
        flush()
        let temporary = path + ".new"
        let replacement = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard replacement >= 0 else { return }
        var body: [UInt8] = []
        for line in live.values { body += line }
        if lastHeartbeat != .distantPast {
            body += Array("h\t\(lastHeartbeat.timeIntervalSince1970)\n".utf8)
        }
        let complete = body.withUnsafeBytes { write(replacement, $0.baseAddress, $0.count) == $0.count }
        guard complete, rename(temporary, path) == 0 else {
            close(replacement)
            unlink(temporary)
            return
        }
        close(fd)
        fd = replacement
        lines = live.count
    }

    private static func line(_ tag: Character, _ key: CallKey, _ time: Date?) -> [UInt8] {
        var line = Array("\(tag)\t".utf8)
        CallRecordJournalLine.escape(key.callID, &line)
        line.append(UInt8(ascii: "\t"))
        CallRecordJournalLine.escape(key.callerTag, &line)
        if let time { line += Array("\t\(time.timeIntervalSince1970)".utf8) }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    // MARK: - Recovery

    /// The calls a stopped gateway left in progress in the file at `path`, as records with
    /// disposition `interrupted` that end at the last sign of life the file holds (a heartbeat, an
    /// answer or a start), and the number of lines that could not be read.
    static func recover(path: String) -> (records: [CallDetailRecord], unreadable: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        var started: [CallKey: CallDetailRecord] = [:]
        var order: [CallKey] = []
        var lastAlive = Date.distantPast
        var unreadable = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let line = Array(raw)
            guard line.count > 2, line[1] == UInt8(ascii: "\t") else {
                unreadable += 1
                continue
            }
            let rest = Array(line[2...])
            switch line[0] {
            case UInt8(ascii: "s"):
                guard let tab = rest.firstIndex(of: UInt8(ascii: "\t")), let record = CallRecordJournalLine.decode(Array(rest[(tab + 1)...])),
                      let tag = CallRecordJournalLine.unescape(rest[..<tab]) else {
                    unreadable += 1
                    continue
                }
                let key = CallKey(callID: record.callID, callerTag: tag)
                if started[key] == nil { order.append(key) }
                started[key] = record
                lastAlive = max(lastAlive, record.start)
            case UInt8(ascii: "a"), UInt8(ascii: "e"):
                let fields = rest.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                guard fields.count >= 2, let callID = CallRecordJournalLine.unescape(fields[0]),
                      let tag = CallRecordJournalLine.unescape(fields[1]) else {
                    unreadable += 1
                    continue
                }
                let key = CallKey(callID: callID, callerTag: tag)
                if line[0] == UInt8(ascii: "e") {
                    started[key] = nil
                } else if fields.count >= 3, let seconds = Double(String(decoding: fields[2], as: UTF8.self)) {
                    let time = Date(timeIntervalSince1970: seconds)
                    started[key]?.answer = time
                    lastAlive = max(lastAlive, time)
                } else {
                    unreadable += 1
                }
            case UInt8(ascii: "h"):
                guard let seconds = Double(String(decoding: rest, as: UTF8.self)) else {
                    unreadable += 1
                    continue
                }
                lastAlive = max(lastAlive, Date(timeIntervalSince1970: seconds))
            default:
                unreadable += 1
            }
        }
        let records = order.compactMap { key -> CallDetailRecord? in
            guard var record = started[key] else { return nil }
            record.end = max(lastAlive, record.answer ?? record.start)
            record.disposition = .interrupted
            record.hangup = nil
            record.cause = nil
            return record
        }
        return (records, unreadable)
    }
}
