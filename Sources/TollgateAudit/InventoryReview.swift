import Foundation
import TollgateModel

/// The inventory judged against the lifecycle table: each device's product line (from what it
/// announced, or from the vendor and model the operator entered) and what the table says about its
/// version today.
public struct InventoryReview: Sendable {
    public let fingerprints: DeviceFingerprints
    public let lifecycle: LifecycleTable

    public init(fingerprints: DeviceFingerprints, lifecycle: LifecycleTable) {
        self.fingerprints = fingerprints
        self.lifecycle = lifecycle
    }

    /// The shipped fingerprints and lifecycle table.
    public static func shipped() throws(DeviceFingerprints.FormatError) -> InventoryReview {
        InventoryReview(fingerprints: try DeviceFingerprints.shipped(), lifecycle: try LifecycleTable.shipped())
    }

    /// The product line as the lifecycle table names it: from the User-Agent when it matches a
    /// fingerprint; otherwise the vendor (`Yealink`), or the vendor and the letters that start the
    /// model (`Poly` + `VVX 411` → `Poly VVX`, `Cisco` + `SPA504G` → `Cisco SPA`) when the table knows it.
    public func product(of device: InventoryDevice) -> String? {
        if let userAgent = device.userAgent, let identity = fingerprints.identify(userAgent: userAgent) { return identity.product }
        guard let vendor = device.vendor, !vendor.isEmpty else { return nil }
        let known = Set(lifecycle.rows.map { $0.product.lowercased() })
        if let model = device.model {
            let family = String(model.drop(while: { !$0.isLetter }).prefix(while: { $0.isLetter }))
            if !family.isEmpty, known.contains("\(vendor) \(family)".lowercased()) {
                return lifecycle.rows.first { $0.product.lowercased() == "\(vendor) \(family)".lowercased() }?.product
            }
        }
        return vendor
    }

    /// What the lifecycle table says about a device at `date`.
    public func findings(for device: InventoryDevice, at date: Date) -> [AuditFinding] {
        guard let product = product(of: device) else { return [] }
        return lifecycle.findings(product: product, version: device.firmware, subject: device.key, at: date)
    }
}
