import Testing

@testable import TollgateConfig

/// Helpers shared by the configuration tests.
enum ConfigTestSupport {
    /// A valid configuration: one external UDP listener, a PBX, one trunk and a default route.
    static let minimal = """
        listeners:
          - listen: udp:127.0.0.1:5070
        pbx: udp:127.0.0.20:5080
        trunks:
          - name: carrier
            endpoint: udp:127.0.0.10:5090
        routes:
          - prefix: ""
            trunks: [carrier]
        """

    /// The errors `yaml` produces, or an empty list if it is valid.
    static func errors(_ yaml: String, source: String = "test.yaml") -> [ConfigError] {
        do {
            _ = try TollgateConfig(yaml: yaml, source: source)
            return []
        } catch {
            return error.errors
        }
    }

    /// The 1-based number of the first line of `yaml` containing `needle`.
    static func line(of needle: String, in yaml: String) -> Int? {
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains(needle) {
            return index + 1
        }
        return nil
    }

    /// The 1-based column of `needle` in the first line containing it.
    static func column(of needle: String, in yaml: String) -> Int? {
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if let range = line.range(of: needle) {
                return line.distance(from: line.startIndex, to: range.lowerBound) + 1
            }
        }
        return nil
    }
}

extension [ConfigError] {
    /// The first error at `path`, if any.
    func at(_ path: String) -> ConfigError? {
        first { $0.path == path }
    }

    /// The paths of all errors, in order.
    var paths: [String] {
        map { $0.path ?? "" }
    }
}
