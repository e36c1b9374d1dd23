import Foundation
import TollgateModel

/// Where "divert now" is switched: the console and `tollgate divert` write it, every gateway on
/// the store reads it within a second.
public protocol DivertStore: Sendable {
    /// The divert in force, or `nil` when calls go to the PBX.
    func divert() async throws(StoreError) -> DivertState?
    /// Switches divert on (a state) or off (`nil`).
    func setDivert(_ state: DivertState?) async throws(StoreError)
}
