import Foundation
import TollgateModel

/// Where failover drills' results are kept, for the living document.
public protocol DrillStore: Sendable {
    func saveDrillResult(_ result: FailoverDrillResult) async throws(StoreError)
    /// The most recent result, if a drill ever ran.
    func lastDrillResult() async throws(StoreError) -> FailoverDrillResult?
}

extension FailoverDrillResult {
    /// The result as a backend keeps it: one JSON text.
    public func storedText() throws(StoreError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        } catch {
            throw StoreError.databaseError("a drill result that does not encode: \(error)")
        }
    }

    /// A result read back from ``storedText()``; `nil` for text no build of Tollgate wrote.
    public init?(storedText text: String) {
        guard let result = try? JSONDecoder().decode(FailoverDrillResult.self, from: Data(text.utf8)) else { return nil }
        self = result
    }
}
