import Foundation
import TollgateModel

/// Where operators' acknowledgements of fraud alarms are kept (the alarms themselves are events).
public protocol AlarmStore: Sendable {
    /// Acknowledges an alarm; returns false when it was acknowledged already (the first one stands).
    func acknowledge(_ acknowledgement: AlarmAcknowledgement) async throws(StoreError) -> Bool
    /// The acknowledgements of these events, by event id.
    func acknowledgements(eventIDs: [Int64]) async throws(StoreError) -> [Int64: AlarmAcknowledgement]
}
