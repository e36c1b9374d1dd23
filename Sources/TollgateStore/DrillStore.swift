import Foundation
import TollgateModel

/// Where failover drills' results are kept, for the living document.
public protocol DrillStore: Sendable {
    func saveDrillResult(_ result: FailoverDrillResult) async throws(StoreError)
    /// The most recent result, if a drill ever ran.
    func lastDrillResult() async throws(StoreError) -> FailoverDrillResult?
}
