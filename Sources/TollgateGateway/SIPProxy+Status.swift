import Foundation
import TollgateModel

extension SIPProxy {
    /// The proxy's state as a status record. Must run on the event loop.
    public func status() -> GatewayStatus {
        GatewayStatus(updated: Date(), processID: ProcessInfo.processInfo.processIdentifier,
                      trunksUp: Dictionary(uniqueKeysWithValues: settings.trunks.map { ($0.name, trunkHealth.isUp($0.name)) }),
                      serverTransactions: serverTransactions.count, clientTransactions: clientTransactions.count,
                      earlyDialogs: dialogs.early, confirmedDialogs: dialogs.confirmed, remotePhoneBindings: bindings.count,
                      registrations: registrations.isEmpty ? nil : registrationStatuses)
    }
}
