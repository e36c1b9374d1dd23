import Foundation

/// Runs the built `tollgate` executable, which SwiftPM builds beside the test bundle.
enum TollgateBinary {
    static let url: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("tollgate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tollgate")
    }()

    /// The shared corpora: `$TOLLGATE_CORPORA`, or `../shared/corpora` beside the package.
    static let corpora: URL = {
        if let path = ProcessInfo.processInfo.environment["TOLLGATE_CORPORA"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/corpora")
    }()

    /// Whether the corpora are there; under CI (`CI=true`) they are required, so tests that read them run and fail.
    static let corporaAvailable: Bool = {
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
        return FileManager.default.fileExists(atPath: corpora.appendingPathComponent("rfc4475/MANIFEST.tsv").path)
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdin: [UInt8]? = nil, directory: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
