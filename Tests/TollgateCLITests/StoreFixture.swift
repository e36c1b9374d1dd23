import Foundation

/// A temporary folder with a valid `tollgate.yaml` whose store is a SQLite file in the same folder.
final class StoreFixture {
    let folder: URL
    let configPath: String
    let storePath: String

    init(storeURL: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cli-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        storePath = folder.appendingPathComponent("tollgate.db").path
        configPath = folder.appendingPathComponent("tollgate.yaml").path
        let store = storeURL.map { "store: { url: \"\($0)\" }" } ?? "store: { path: \"\(storePath)\" }"
        let config = """
            listeners:
              - { zone: external, transport: udp, address: 127.0.0.1, port: 5070 }
            pbx: { endpoint: "udp:127.0.0.20:5080" }
            trunks:
              - { name: carrier, endpoint: "udp:127.0.0.10:5090" }
            routes:
              - { prefix: "", trunks: [carrier] }
            \(store)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Runs `tollgate ARGUMENTS --config <this config>`.
    func run(_ arguments: [String]) throws -> TollgateBinary.Output {
        try TollgateBinary.run(arguments + ["--config", configPath])
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }
}
