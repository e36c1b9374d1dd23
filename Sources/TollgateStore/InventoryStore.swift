import Foundation
import TollgateModel

/// Where the phone system's inventory is kept: the devices the gateway saw (or discovery found),
/// merged with what the operator wrote about them.
public protocol InventoryStore: Sendable {
    /// Merges sightings in one transaction: a new device is added; a known one keeps its first
    /// sighting and the operator's fields, takes the later last-seen time and the announced
    /// User-Agent, vendor, model and firmware, and dates a firmware change.
    func recordSightings(_ sightings: [DeviceSighting]) async throws(StoreError)
    /// Every device, ordered by address, then extension.
    func inventory() async throws(StoreError) -> [InventoryDevice]
    /// One device by address and extension.
    func inventoryDevice(address: String, ext: String) async throws(StoreError) -> InventoryDevice?
    /// Writes the operator's fields of a device (owner, department, location, notes; nil leaves a
    /// field as it is), adding the device when it is not known yet (a desk phone the gateway never
    /// sees, entered by hand). Returns whether the device was new.
    @discardableResult
    func saveInventoryDetails(_ device: InventoryDevice) async throws(StoreError) -> Bool
    /// Removes a device; returns whether it was there.
    func removeInventoryDevice(address: String, ext: String) async throws(StoreError) -> Bool
}
