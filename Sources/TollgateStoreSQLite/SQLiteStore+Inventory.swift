import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// A row of `inventory`, keyed by address and extension.
struct InventoryRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "inventory"

    enum CodingKeys: String, CodingKey {
        case address
        case ext = "extension"
        case role
        case userAgent = "user_agent"
        case vendor, model, firmware
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case firmwareChanged = "firmware_changed"
        case owner, department, location, notes
    }

    var address: String
    var ext: String
    var role: String
    var userAgent: String?
    var vendor: String?
    var model: String?
    var firmware: String?
    var firstSeen: Double
    var lastSeen: Double
    var firmwareChanged: Double?
    var owner: String?
    var department: String?
    var location: String?
    var notes: String?

    var device: InventoryDevice {
        InventoryDevice(address: address, ext: ext, role: InventoryDevice.Role(rawValue: role) ?? .other, userAgent: userAgent,
                        vendor: vendor, model: model, firmware: firmware, firstSeen: Date(timeIntervalSince1970: firstSeen),
                        lastSeen: Date(timeIntervalSince1970: lastSeen), firmwareChanged: firmwareChanged.map(Date.init(timeIntervalSince1970:)),
                        owner: owner, department: department, location: location, notes: notes)
    }
}

extension SQLiteStore {
    public func recordSightings(_ sightings: [DeviceSighting]) async throws(StoreError) {
        guard !sightings.isEmpty else { return }
        try await write { db in
            for sighting in sightings {
                let time = sighting.time.timeIntervalSince1970
                let arguments: StatementArguments = [
                    sighting.address.storableText, sighting.ext.storableText, sighting.role.rawValue, sighting.userAgent?.storableText,
                    sighting.vendor?.storableText, sighting.model?.storableText, sighting.firmware?.storableText, time, time,
                ]
                // A firmware change is dated when a known device announces another version than it had.
                try db.execute(sql: """
                    INSERT INTO inventory (address, extension, role, user_agent, vendor, model, firmware, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (address, extension) DO UPDATE SET
                        firmware_changed = CASE
                            WHEN excluded.firmware IS NOT NULL AND inventory.firmware IS NOT NULL AND excluded.firmware <> inventory.firmware
                                AND excluded.last_seen >= inventory.last_seen
                            THEN excluded.last_seen ELSE inventory.firmware_changed END,
                        role = CASE WHEN excluded.last_seen >= inventory.last_seen THEN excluded.role ELSE inventory.role END,
                        user_agent = CASE WHEN excluded.last_seen >= inventory.last_seen THEN COALESCE(excluded.user_agent, inventory.user_agent)
                            ELSE inventory.user_agent END,
                        vendor = CASE WHEN excluded.last_seen >= inventory.last_seen THEN COALESCE(excluded.vendor, inventory.vendor)
                            ELSE inventory.vendor END,
                        model = CASE WHEN excluded.last_seen >= inventory.last_seen THEN COALESCE(excluded.model, inventory.model)
                            ELSE inventory.model END,
                        firmware = CASE WHEN excluded.last_seen >= inventory.last_seen THEN COALESCE(excluded.firmware, inventory.firmware)
                            ELSE inventory.firmware END,
                        first_seen = MIN(inventory.first_seen, excluded.first_seen),
                        last_seen = MAX(inventory.last_seen, excluded.last_seen)
                    """, arguments: arguments)
            }
        }
    }

    public func inventory() async throws(StoreError) -> [InventoryDevice] {
        try await read { db in try InventoryRow.fetchAll(db, sql: "SELECT * FROM inventory ORDER BY address, extension") }.map(\.device)
    }

    public func inventoryDevice(address: String, ext: String) async throws(StoreError) -> InventoryDevice? {
        try await read { db in
            try InventoryRow.fetchOne(db, sql: "SELECT * FROM inventory WHERE address = ? AND extension = ?",
                                      arguments: [address.storableText, ext.storableText])
        }?.device
    }

    @discardableResult
    public func saveInventoryDetails(_ device: InventoryDevice) async throws(StoreError) -> Bool {
        try await write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM inventory WHERE address = ? AND extension = ?",
                                           arguments: [device.address.storableText, device.ext.storableText]) ?? false
            if exists {
                try db.execute(sql: """
                    UPDATE inventory SET owner = COALESCE(?, owner), department = COALESCE(?, department),
                        location = COALESCE(?, location), notes = COALESCE(?, notes)
                    WHERE address = ? AND extension = ?
                    """, arguments: [device.owner?.storableText, device.department?.storableText, device.location?.storableText,
                                     device.notes?.storableText, device.address.storableText, device.ext.storableText])
                return false
            }
            try db.execute(sql: """
                INSERT INTO inventory (address, extension, role, user_agent, vendor, model, firmware, first_seen, last_seen,
                                       firmware_changed, owner, department, location, notes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    device.address.storableText, device.ext.storableText, device.role.rawValue, device.userAgent?.storableText,
                    device.vendor?.storableText, device.model?.storableText, device.firmware?.storableText,
                    device.firstSeen.timeIntervalSince1970, device.lastSeen.timeIntervalSince1970,
                    device.firmwareChanged?.timeIntervalSince1970, device.owner?.storableText, device.department?.storableText,
                    device.location?.storableText, device.notes?.storableText,
                ])
            return true
        }
    }

    public func removeInventoryDevice(address: String, ext: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM inventory WHERE address = ? AND extension = ?",
                           arguments: [address.storableText, ext.storableText])
            return db.changesCount > 0
        }
    }
}
