import Foundation
import TollgateConfig
import Yams

/// Edits the configuration file one top-level section at a time (routes, trunks, fallback,
/// shield, fraud): the section as YAML with its passwords hidden, the file with a section
/// replaced (comments and the other sections untouched), validated by the same checks as
/// `tollgate config check` with the same command-line overrides, written atomically with the
/// version before kept beside it, and any kept version restored the same way.
public struct ConfigFileEditor: Sendable {
    /// Why a change was refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file would not be valid: each problem with its path and line (in the new file).
        case invalid([ConfigError])
        case notASection(String)
        case unknownSection(String)
        case passwordNeeded(trunk: String)
        case noSuchVersion(String)
        case file(String)

        public var description: String {
            switch self {
            case .invalid(let errors): errors.map(\.description).joined(separator: "\n")
            case .notASection(let name): "the text must be one mapping whose only key is '\(name):'"
            case .unknownSection(let name): "'\(name)' is not a section the console edits"
            case .passwordNeeded(let trunk): "trunk \(trunk) is new: give its password instead of \(ConfigFileEditor.keptPassword)"
            case .noSuchVersion(let name): "there is no kept version \(name)"
            case .file(let reason): reason
            }
        }
    }

    /// The sections edited here.
    public static let sections = ["routes", "trunks", "fallback", "shield", "fraud"]
    /// What the editor shows instead of a password; kept as it is, it means "the password as before".
    public static let keptPassword = "(unchanged)"
    /// How many earlier versions are kept.
    public static let keptVersions = 50

    public let path: String
    /// Parses and validates a whole file's text as `serve` would (its command-line overrides applied).
    public let check: @Sendable (String) throws(ConfigErrors) -> TollgateConfig

    public init(path: String, check: @escaping @Sendable (String) throws(ConfigErrors) -> TollgateConfig) {
        self.path = path
        self.check = check
    }

    /// The folder the earlier versions are kept in: `tollgate.yaml.versions/` beside the file.
    public var versionsFolder: String { path + ".versions" }

    public func text() throws(Refusal) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .file("cannot read \(path): \(error.localizedDescription)")
        }
    }

    // MARK: - Sections

    /// The lines of a top-level section: its key line and everything indented (or blank, or a
    /// comment) under it; the range is empty, at the end, when the file has no such section.
    static func sectionRange(_ name: String, in lines: [String]) -> Range<Int> {
        guard let start = lines.firstIndex(where: { $0.hasPrefix(name + ":") }) else { return lines.count..<lines.count }
        var end = start + 1
        while end < lines.count {
            let line = lines[end]
            if let first = line.first, first != " ", first != "\t", first != "#" { break }
            end += 1
        }
        // Blank and comment lines at the end belong to what follows.
        while end > start + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty || lines[end - 1].hasPrefix("#") { end -= 1 }
        return start..<end
    }

    /// The section as the editor shows it, passwords replaced by ``keptPassword``; empty when absent.
    public static func section(_ name: String, in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines[sectionRange(name, in: lines)].map(redacted).joined(separator: "\n")
    }

    /// A line with the value of any `password:` replaced by ``keptPassword``.
    static func redacted(_ line: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: #"(password\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,}\s#][^,}#]*)"#) else { return line }
        let range = NSRange(line.startIndex..., in: line)
        return regex.stringByReplacingMatches(in: line, range: range, withTemplate: "$1\"\(keptPassword)\"")
    }

    /// The file's text with section `name` replaced by `block` (which must be that one section).
    public static func replacing(section name: String, with block: String, in text: String) throws(Refusal) -> String {
        guard sections.contains(name) else { throw .unknownSection(name) }
        let block = block.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines)
        guard let node = try? Yams.compose(yaml: block), case .mapping(let mapping) = node, mapping.count == 1,
              mapping.keys.first?.string == name else { throw .notASection(name) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let range = sectionRange(name, in: lines)
        let replacement = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if range.isEmpty {
            if lines.last == "" { lines.removeLast() }
            lines += replacement + [""]
        } else {
            lines.replaceSubrange(range, with: replacement)
        }
        return lines.joined(separator: "\n")
    }

    /// The new file for `block` in place of section `name`: passwords left as ``keptPassword``
    /// take the trunk's password from the file as it is, and the result is validated.
    public func proposed(section name: String, block: String) throws(Refusal) -> (text: String, config: TollgateConfig) {
        let current = try text()
        var proposed = try Self.replacing(section: name, with: block, in: current)
        if proposed.contains(Self.keptPassword) {
            proposed = try restorePasswords(in: proposed, from: current)
        }
        do {
            return (proposed, try check(proposed))
        } catch {
            throw .invalid(error.errors)
        }
    }

    /// Puts each trunk's password back where the editor showed ``keptPassword``, by trunk name.
    private func restorePasswords(in proposed: String, from current: String) throws(Refusal) -> String {
        let old: [String: String]
        do {
            old = Dictionary(try check(current).trunks.compactMap { trunk in trunk.credentials.map { (trunk.name, $0.password) } },
                             uniquingKeysWith: { first, _ in first })
        } catch {
            throw .invalid(error.errors)
        }
        // Trunk names in the order they appear, paired with placeholders in the same order.
        let names = (try? Yams.load(yaml: proposed) as? [String: Any])?["trunks"] as? [[String: Any]] ?? []
        let needing = names.filter { (($0["credentials"] as? [String: Any])?["password"] as? String) == Self.keptPassword }.compactMap { $0["name"] as? String }
        var text = proposed
        for trunk in needing {
            guard let password = old[trunk] else { throw .passwordNeeded(trunk: trunk) }
            guard let range = text.range(of: "\"\(Self.keptPassword)\"") else { break }
            text.replaceSubrange(range, with: Self.quoted(password))
        }
        return text
    }

    /// A YAML double-quoted string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    // MARK: - Writing and versions

    /// Writes `text` as the new file: the file as it was is kept in ``versionsFolder`` first, then
    /// the new text goes to a temporary file renamed over the old one, so a reader sees one or the
    /// other, never half. Returns the kept version's name.
    @discardableResult
    public func write(_ text: String, at now: Date) throws(Refusal) -> String {
        let manager = FileManager.default
        let current = try self.text()
        var name = Self.versionName(now)
        var copy = 2
        while manager.fileExists(atPath: versionsFolder + "/" + name) {
            name = Self.versionName(now).replacingOccurrences(of: ".yaml", with: "-\(copy).yaml")
            copy += 1
        }
        do {
            try manager.createDirectory(atPath: versionsFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(current.utf8).write(to: URL(fileURLWithPath: versionsFolder + "/" + name), options: .atomic)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .file("cannot write \(path): \(error.localizedDescription)")
        }
        let kept = versions()
        for old in kept.dropFirst(Self.keptVersions) { try? manager.removeItem(atPath: versionsFolder + "/" + old) }
        return name
    }

    /// The kept versions, newest first.
    public func versions() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: versionsFolder)) ?? []).filter { $0.hasPrefix("version-") }.sorted(by: >)
    }

    /// A kept version's text.
    public func version(_ name: String) throws(Refusal) -> String {
        guard versions().contains(name), let text = try? String(contentsOfFile: versionsFolder + "/" + name, encoding: .utf8) else {
            throw .noSuchVersion(name)
        }
        return text
    }

    /// `version-20261203T024000.123Z.yaml`: sorts by time.
    static func versionName(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withFractionalSeconds, .withTimeZone]
        let stamp = formatter.string(from: date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return "version-\(stamp).yaml"
    }
}
