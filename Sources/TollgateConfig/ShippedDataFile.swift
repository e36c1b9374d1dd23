import Foundation

/// A data file Tollgate ships (scanner fingerprints, high-risk prefixes): where to find it and how
/// to read it. Both kinds of file are found and read the same way; only their parsers differ.
public struct ShippedDataFile: Sendable, Hashable {
    /// The file name, e.g. `scanner-fingerprints.txt`.
    public var name: String
    /// The target whose resource bundle holds it, e.g. `TollgateShield`.
    public var target: String
    /// An environment variable that names another file instead.
    public var environmentOverride: String

    public init(name: String, target: String, environmentOverride: String) {
        self.name = name
        self.target = target
        self.environmentOverride = environmentOverride
    }

    /// The places looked at, in order: the override, the resource bundle beside the executable,
    /// `../share/tollgate` beside it, and `/usr/share/tollgate`.
    public var candidates: [String] {
        var paths: [String] = []
        if let override = ProcessInfo.processInfo.environment[environmentOverride] { paths.append(override) }
        let executableDirectory = Bundle.main.bundleURL.path
        paths.append(executableDirectory + "/Tollgate_\(target).resources/" + name)
        paths.append(executableDirectory + "/../share/tollgate/" + name)
        paths.append("/usr/share/tollgate/" + name)
        return paths
    }

    /// The first candidate that exists, or a message listing where it was looked for.
    public func locate() -> Result<String, DataFileError> {
        let paths = candidates
        if let found = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) { return .success(found) }
        return .failure(DataFileError(origin: name, message: "the shipped \(name) was not found (looked in \(paths.joined(separator: ", ")))"))
    }

    /// Reads a data file's text (UTF-8); `kind` names it in the error, e.g. `prefix file`.
    public static func read(_ path: String, kind: String) -> Result<String, DataFileError> {
        do {
            return .success(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            return .failure(DataFileError(origin: path, message: "cannot read the \(kind): \((error as NSError).localizedDescription)"))
        }
    }
}

/// Why a data file could not be found or read.
public struct DataFileError: Error, Sendable, Hashable {
    public var origin: String
    public var message: String
}
