import Testing
@testable import TollgateConfig

/// Checks that a configuration is refused with an error at `path` on `line` (1-based, counted in
/// `yaml` itself, after `base`).
func expectConfigError(base: String, yaml: String, line: Int, path: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try TollgateConfig(yaml: base + yaml)
        Issue.record("accepted: \(yaml)", sourceLocation: sourceLocation)
    } catch {
        let match = error.errors.first { $0.path == path }
        let baseLines = base.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(match != nil, "no error at \(path): \(error.errors.map(\.description))", sourceLocation: sourceLocation)
        #expect(match?.line == line + baseLines, "line of \(path): \(error.errors.map(\.description))", sourceLocation: sourceLocation)
    }
}
