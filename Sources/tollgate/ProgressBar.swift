import Foundation

/// A one-line progress bar on standard error for long reads: bytes read of the file's size and
/// rows per second, redrawn at most ten times a second. It draws nothing unless enabled (the
/// command enables it only when standard error is a terminal).
struct ProgressBar {
    let enabled: Bool
    private var lastDraw = Date.distantPast
    private let started = Date()
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Whether standard error is a terminal.
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Items done of a total (`asked`, `hosts`), with the rate.
    mutating func update(count: Int, of total: Int, unit: String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || count == total else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(count) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = Int(Double(count) / max(0.001, now.timeIntervalSince(started)))
        let line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(count) of \(total) \(unit)  \(rate)/s"
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drawn = true
    }

    mutating func update(bytes: Int64, of total: Int64, rows: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(0.001, now.timeIntervalSince(started))
        let rate = Int(Double(rows) / elapsed)
        var line = ""
        if total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            line += String(format: "%3d%%  %@ of %@", Int(fraction * 100), Self.size(bytes), Self.size(total))
        } else {
            line = Self.size(bytes)
        }
        line += "  \(rows) rows  \(rate) rows/s"
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drawn = true
    }

    /// Clears the line.
    mutating func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    static func size(_ bytes: Int64) -> String {
        let mib = Double(bytes) / 1_048_576
        return mib >= 1 ? String(format: "%.1f MiB", mib) : String(format: "%.0f KiB", Double(bytes) / 1024)
    }
}
