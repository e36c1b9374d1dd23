import Foundation

/// A folder under the system's temporary directory, removed when the test is done with it.
final class TemporaryFolder: Sendable {
    let url: URL

    init(prefix: String = "tollgate-store-") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
