#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads RFC 4180 records from a file, streaming: the file is read in large chunks and split on
/// bytes, so its size does not matter and no line is ever decoded as a whole.
///
/// Fields may be quoted (`"a, b"`), quotes inside quoted fields are doubled (`"say ""hi"""`) and
/// quoted fields may hold line breaks; records end with LF or CRLF. Blank lines are skipped. A
/// record longer than ``maxRecordBytes`` (an unbalanced quote swallowing the file) is reported as
/// an overflow and reading resumes at the next line.
///
/// The fields of the current record are kept in one reusable byte buffer, unquoted; read them
/// with ``field(_:)``, ``string(_:)`` and ``withField(_:_:)`` until the next call to ``next()``.
public struct CSVRecordReader: ~Copyable {
    /// What ``next()`` found.
    public enum Step: Equatable, Sendable {
        /// A record; its fields are available until the next call.
        case record
        /// A record longer than the limit, starting at ``CSVRecordReader/line``; skipped.
        case overflow
        /// The last record opens a quote the file never closes; skipped.
        case unclosedQuote
        /// The end of the file.
        case end
    }

    /// The largest record read; longer ones are reported and skipped.
    public let maxRecordBytes: Int
    /// The line the current record starts on (1-based).
    public private(set) var line = 0
    /// Bytes consumed from the file so far.
    public private(set) var bytesRead: Int64 = 0
    /// The file's size when it was opened (0 when unknown, e.g. a pipe).
    public let fileSize: Int64

    private let descriptor: Int32
    private let chunkSize: Int
    private var buffer: [UInt8]
    /// The unread bytes are `buffer[position..<filled]`.
    private var position = 0
    private var filled = 0
    private var endOfFile = false
    /// The line the next record starts on.
    private var nextLine = 1
    /// The current record's fields, unquoted, back to back.
    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []

    /// Opens `path` for reading.
    ///
    /// - Throws: ``CDRFileError/cannotOpen(path:reason:)`` when it cannot be opened or is a directory.
    public init(path: String, chunkSize: Int = 1 << 20, maxRecordBytes: Int = 64 * 1024) throws(CDRFileError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "it is a directory")
        }
        self.descriptor = descriptor
        self.fileSize = (status.st_mode & S_IFMT) == S_IFREG ? Int64(status.st_size) : 0
        self.chunkSize = max(chunkSize, 4096)
        self.maxRecordBytes = maxRecordBytes
        self.buffer = [UInt8](repeating: 0, count: self.chunkSize + maxRecordBytes)
        fieldBytes.reserveCapacity(1024)
        fieldEnds.reserveCapacity(32)
    }

    deinit {
        close(descriptor)
    }

    /// How many fields the current record has.
    public var fieldCount: Int { fieldEnds.count }

    /// The bytes of field `index` (0-based), unquoted.
    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : fieldEnds[index - 1]
        let end = fieldEnds[index]
        return try fieldBytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[start..<end]))
        }
    }

    /// Field `index` as text (invalid UTF-8 is repaired).
    public func string(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether field `index` is empty.
    public func isEmpty(_ index: Int) -> Bool {
        (index == 0 ? 0 : fieldEnds[index - 1]) == fieldEnds[index]
    }

    /// Reads the next record.
    ///
    /// - Throws: ``CDRFileError/readFailed(reason:)`` when the file cannot be read.
    public mutating func next() throws(CDRFileError) -> Step {
        while true {
            if position == filled {
                if endOfFile { return .end }
                try refill()
                continue
            }
            switch scanRecord() {
            case .complete(let consumed, let lines):
                line = nextLine
                nextLine += lines
                position += consumed
                bytesRead += Int64(consumed)
                if fieldEnds.count == 1 && fieldEnds[0] == 0 { continue }  // a blank line
                return .record
            case .needMore:
                if filled - position > maxRecordBytes {
                    line = nextLine
                    skipLine()
                    return .overflow
                }
                if endOfFile {
                    // The last record has no line break and an open quote: it runs to the end.
                    line = nextLine
                    let consumed = filled - position
                    position = filled
                    bytesRead += Int64(consumed)
                    return .unclosedQuote
                }
                try refill()
            }
        }
    }

    private enum Scan {
        case complete(consumed: Int, lines: Int)
        case needMore
    }

    /// Splits one record starting at `position` into ``fieldBytes`` and ``fieldEnds``.
    private mutating func scanRecord() -> Scan {
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        let atEOF = endOfFile
        let start = position
        let stop = filled
        return buffer.withUnsafeBufferPointer { bytes -> Scan in
            var index = start
            var lines = 1
            while true {
                // One field.
                if index < stop, bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    var closed = false
                    while index < stop {
                        // The run up to the next quote, copied at once.
                        let runStart = index
                        while index < stop, bytes[index] != UInt8(ascii: "\"") {
                            if bytes[index] == UInt8(ascii: "\n") { lines += 1 }
                            index += 1
                        }
                        if index > runStart {
                            fieldBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                        }
                        guard index < stop else { break }
                        if index + 1 < stop {
                            if bytes[index + 1] == UInt8(ascii: "\"") {
                                fieldBytes.append(UInt8(ascii: "\""))
                                index += 2
                                continue
                            }
                            index += 1
                            closed = true
                            break
                        } else if atEOF {
                            index += 1
                            closed = true
                            break
                        } else {
                            return .needMore
                        }
                    }
                    if !closed { return .needMore }
                }
                // The rest of an unquoted field (or stray bytes after a closing quote, kept as text).
                let runStart = index
                while index < stop {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
                    index += 1
                }
                if index > runStart {
                    fieldBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                }
                fieldEnds.append(fieldBytes.count)
                if index == stop {
                    if atEOF { return .complete(consumed: index - start, lines: lines) }
                    return .needMore
                }
                switch bytes[index] {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "\r"):
                    if index + 1 < stop {
                        index += bytes[index + 1] == UInt8(ascii: "\n") ? 2 : 1
                    } else if atEOF {
                        index += 1
                    } else {
                        return .needMore
                    }
                    return .complete(consumed: index - start, lines: lines)
                default:  // "\n"
                    return .complete(consumed: index - start + 1, lines: lines)
                }
            }
        }
    }

    /// Skips to the byte after the next LF (reading on as needed), for a record too long to keep.
    private mutating func skipLine() {
        while true {
            if let newline = buffer[position..<filled].firstIndex(of: UInt8(ascii: "\n")) {
                let consumed = newline + 1 - position
                bytesRead += Int64(consumed)
                position = newline + 1
                nextLine += 1
                return
            }
            bytesRead += Int64(filled - position)
            position = filled
            if endOfFile { return }
            do { try refill() } catch { return }
        }
    }

    /// Moves the unread bytes to the front and reads one more chunk after them.
    private mutating func refill() throws(CDRFileError) {
        if position > 0 {
            let unread = filled - position
            if unread > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    let base = bytes.baseAddress!
                    base.update(from: base + position, count: unread)
                }
            }
            position = 0
            filled = unread
        }
        if buffer.count - filled < chunkSize {
            buffer.append(contentsOf: repeatElement(0, count: chunkSize - (buffer.count - filled)))
        }
        let count = buffer.withUnsafeMutableBufferPointer { bytes -> Int in
            var result: Int
            repeat {
                result = read(descriptor, bytes.baseAddress! + filled, chunkSize)
            } while result < 0 && errno == EINTR
            return result
        }
        if count < 0 { throw .readFailed(reason: String(cString: strerror(errno))) }
        if count == 0 { endOfFile = true }
        filled += count
    }
}
