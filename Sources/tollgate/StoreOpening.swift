import ArgumentParser
import Foundation
import TollgateConfig
import TollgateModel
import TollgateStore
import TollgateStorePostgres
import TollgateStoreSQLite

/// Where a store is: an SQLite file, or a database server by URL.
enum StoreLocation: Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// A `--store` value: `postgres://…` or `postgresql://…` is a server, `sqlite:PATH` or any other text a file.
    init(argument text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if lowered.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// What the configuration's `store` section names.
    init(_ config: StoreConfig) {
        if let url = config.url { self = .postgres(url: url) } else { self = .sqlite(path: config.path) }
    }
}

/// Opens (and migrates) the store at `location`, picking the backend. `journal` is where a gateway
/// keeps its CDR journal when the store is a database server (an SQLite store keeps it beside its file).
func openStore(_ location: StoreLocation, journal: String? = nil) async throws(CLIError) -> any Store {
    do throws(StoreError) {
        switch location {
        case .sqlite(let path):
            return try SQLiteStore(path: path)
        case .postgres(let url):
            return try await PostgresStore.connect(url: url, journal: journal)
        }
    } catch {
        throw CLIError(message: error.description)
    }
}

/// The configuration's store, opened as `serve` opens it: with a database server, the CDR journal
/// is kept on local disk where `store.path` would put an SQLite file (`tollgate.db-cdr-journal.N`).
func openStore(_ config: StoreConfig) async throws(CLIError) -> any Store {
    try await openStore(StoreLocation(config), journal: config.path + "-cdr-journal")
}

extension ConfigOptions {
    /// The store a command works on, found as a user expects: `--store PATH|URL`; else the
    /// configuration's (`--config FILE`, ./tollgate.yaml, or `--pbx` and `--listen`); else
    /// ./tollgate.db when it is there. A command needs no configuration to read the store a
    /// `tollgate serve` started in the same folder with flags alone.
    func storeLocation() throws(CLIError) -> StoreLocation {
        if let store { return StoreLocation(argument: store) }
        let hasFile = config != nil || FileManager.default.fileExists(atPath: "tollgate.yaml")
        if hasFile || (pbx != nil && !listen.isEmpty) {
            let loaded: TollgateConfig
            do { loaded = try load() } catch let error as CLIError { throw error } catch { throw CLIError(message: "\(error)") }
            return StoreLocation(loaded.store)
        }
        let defaultPath = StoreConfig().path
        if FileManager.default.fileExists(atPath: defaultPath) { return .sqlite(path: defaultPath) }
        throw CLIError(message: """
            no store here: give --store PATH (or a postgres:// URL) or --config FILE, or run this where \
            `tollgate serve` keeps ./\(defaultPath)
            """)
    }

    /// The store this command works on (``storeLocation()``), opened and migrated; problems are
    /// printed to standard error and end the command with status 1.
    func openStoreOrExit() async throws -> any Store {
        do {
            return try await openStore(storeLocation())
        } catch {
            printError(error.message)
            throw ExitCode(1)
        }
    }
}

/// A source address given on the command line, canonicalised as the store keeps it; anything but
/// one IPv4 or IPv6 address is printed as an error and ends the command with status 2.
func sourceAddressOrExit(_ text: String) throws -> String {
    guard let address = IPAddress(text) else {
        printError("'\(text)' is not an IP address: give one IPv4 or IPv6 address (not a range or a host name)")
        throw ExitCode(2)
    }
    return address.description
}
