import ArgumentParser
import Foundation
import TollgateConfig
import TollgateShield

/// The options every command that reads the configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./tollgate.yaml when present).")
    var config: String?

    @Option(name: .long, help: "The store: an SQLite file, or a postgres:// URL (default: the configuration's, else ./tollgate.db).")
    var store: String?

    @Option(name: .long, help: "The PBX, T:HOST:PORT (T = udp, tcp or tls). Overrides the file.")
    var pbx: String?

    @Option(name: .long, help: "A listener, T:ADDRESS:PORT; repeat for several. Replaces the file's listeners.")
    var listen: [String] = []

    @Option(name: .long, help: "A trunk, T:HOST:PORT: where the PBX's outbound calls go and a source whose inbound calls are accepted. Repeatable.")
    var trunk: [String] = []

    @Flag(name: .long, help: "Let phones on the internet register through Tollgate.")
    var remotePhones = false

    @Option(name: .long, help: "Console address, ADDRESS:PORT.")
    var console: String?

    /// ``load()``, or the error printed to standard error and exit status 1.
    func loadOrExit() throws -> TollgateConfig {
        do {
            return try load()
        } catch let error as CLIError {
            printError(error.message)
            throw ExitCode(1)
        }
    }

    /// The folder relative paths in the configuration are read from: the file's, or the working folder.
    var configDirectory: String {
        let path = config ?? (FileManager.default.fileExists(atPath: "tollgate.yaml") ? "tollgate.yaml" : nil)
        guard let path else { return FileManager.default.currentDirectoryPath }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// Shield's rules for `config`: the shipped scanner fingerprints plus the configured files.
    func shieldRules(for config: TollgateConfig) throws -> ShieldRules {
        do {
            return try ShieldRules.load(config: config, baseDirectory: configDirectory)
        } catch {
            throw CLIError(message: error.description)
        }
    }

    /// ``shieldRules(for:)``, or the error printed to standard error and exit status 1.
    func shieldRulesOrExit(for config: TollgateConfig) throws -> ShieldRules {
        do {
            return try shieldRules(for: config)
        } catch let error as CLIError {
            printError(error.message)
            throw ExitCode(1)
        }
    }

    /// The effective configuration: the file (if any) with the command-line overrides applied,
    /// validated once the overrides are in (so a file may leave out what the flags give); `--store`
    /// replaces the file's store.
    func load() throws -> TollgateConfig {
        var loaded = try loadWithoutStore()
        if let store {
            switch StoreLocation(argument: store) {
            case .sqlite(let path): loaded.store = StoreConfig(path: path)
            case .postgres(let url): loaded.store = StoreConfig(path: loaded.store.path, url: url)
            }
        }
        return loaded
    }

    /// The configuration file `load()` reads, if any: `--config`, else ./tollgate.yaml when present.
    var filePath: String? {
        config ?? (FileManager.default.fileExists(atPath: "tollgate.yaml") ? "tollgate.yaml" : nil)
    }

    /// Checks the text of a configuration file as `load()` would read it (the command-line
    /// overrides applied, the store as given), and that Shield's rules from it load, as
    /// `config check` does: what the console runs before it saves a change.
    func check(text: String, path: String) throws(ConfigErrors) -> TollgateConfig {
        let overrides: (inout TollgateConfig) -> Void
        do { overrides = try overrideClosure() } catch { throw ConfigErrors(source: path, errors: [ConfigError("\(error)", source: path)]) }
        var config = try TollgateConfig(yaml: text, source: path, adjusting: overrides)
        if let store, case .sqlite(let storePath) = StoreLocation(argument: store) { config.store = StoreConfig(path: storePath) }
        do {
            _ = try ShieldRules.load(config: config, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        } catch {
            throw ConfigErrors(source: path, errors: [ConfigError("shield: \(error)", source: path)])
        }
        return config
    }

    /// The command line's overrides (`--pbx`, `--listen`, …) as a function on a configuration.
    private func overrideClosure() throws -> (inout TollgateConfig) -> Void {
        let pbxEndpoint: Endpoint?
        let listeners: [Endpoint]
        let trunks: [Endpoint]
        let consoleEndpoint: Endpoint?
        do {
            pbxEndpoint = try pbx.map { text throws(ConfigError) in try Endpoint(parsing: text) }
            listeners = try listen.map { text throws(ConfigError) in try Endpoint(parsing: text) }
            trunks = try trunk.map { text throws(ConfigError) in try Endpoint(parsing: text) }
            consoleEndpoint = try console.map { text throws(ConfigError) in try Endpoint(parsing: text.contains("p:") ? text : "tcp:" + text) }
        } catch {
            throw CLIError(message: "command line: \(error.message)")
        }
        let remotePhones = self.remotePhones
        return { (config: inout TollgateConfig) in
            config.applyOverrides(pbx: pbxEndpoint, listen: listeners, trunks: trunks, remotePhones: remotePhones, console: consoleEndpoint)
        }
    }

    private func loadWithoutStore() throws -> TollgateConfig {
        let overrides = try overrideClosure()
        var path = config
        if path == nil, FileManager.default.fileExists(atPath: "tollgate.yaml") { path = "tollgate.yaml" }
        guard let path else {
            guard pbx != nil, !listen.isEmpty else {
                throw CLIError(message: "no configuration: give --config FILE, put a tollgate.yaml here, or give at least --pbx and --listen")
            }
            var loaded = TollgateConfig()
            overrides(&loaded)
            do {
                try loaded.validate()
            } catch {
                throw CLIError(message: error.description)
            }
            return loaded
        }
        do {
            return try TollgateConfig.load(path: path, adjusting: overrides)
        } catch {
            throw CLIError(message: error.description)
        }
    }
}

/// An error the command line reports as is, with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
