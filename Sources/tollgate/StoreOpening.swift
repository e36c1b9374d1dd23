import ArgumentParser
import TollgateConfig
import TollgateShield
import TollgateStore

extension ConfigOptions {
    /// The store the configuration names, opened (and migrated) as `serve` would; problems are
    /// printed to standard error and end the command with status 1.
    func openStoreOrExit() throws -> SQLiteStore {
        let config = try loadOrExit()
        if let url = config.store.url {
            printError("the store is PostgreSQL (store.url \(Self.redacted(url))), which this build of tollgate does not support yet; use store.path for SQLite")
            throw ExitCode(1)
        }
        do {
            return try SQLiteStore(path: config.store.path)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// A URL with any password replaced by `***`.
    static func redacted(_ url: String) -> String {
        // The last "@" ends the user information: a password may contain "@" itself.
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// A source address given on the command line, canonicalised as the store keeps it; anything but
/// one IPv4 or IPv6 address is printed as an error and ends the command with status 2.
func sourceAddressOrExit(_ text: String) throws -> String {
    guard let address = SourceAddress(text) else {
        printError("'\(text)' is not an IP address: give one IPv4 or IPv6 address (not a range or a host name)")
        throw ExitCode(2)
    }
    return address.description
}
