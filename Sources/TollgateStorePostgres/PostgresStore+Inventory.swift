import Foundation
import PostgresNIO
import TollgateModel
import TollgateStore

extension PostgresStore {
    static let inventoryColumns = """
        address, extension, role, user_agent, vendor, model, firmware, first_seen, last_seen, firmware_changed, \
        owner, department, location, notes
        """

    static func device(_ cells: inout PostgresCells) throws -> InventoryDevice {
        InventoryDevice(
            address: try cells.next(), ext: try cells.next(), role: InventoryDevice.Role(rawValue: try cells.next(String.self)) ?? .other,
            userAgent: try cells.next(), vendor: try cells.next(), model: try cells.next(), firmware: try cells.next(),
            firstSeen: try cells.date(), lastSeen: try cells.date(), firmwareChanged: try cells.optionalDate(), owner: try cells.next(),
            department: try cells.next(), location: try cells.next(), notes: try cells.next())
    }

    public func recordSightings(_ sightings: [DeviceSighting]) async throws(StoreError) {
        guard !sightings.isEmpty else { return }
        try await transaction { transaction in
            // One statement a sighting, in order: two sightings of one device in a batch build on each other.
            for sighting in sightings {
                var statement = PostgresStatement("""
                    INSERT INTO inventory (address, extension, role, user_agent, vendor, model, firmware, first_seen, last_seen) VALUES (
                    """)
                let time = statement.bind(sighting.time.timeIntervalSince1970)
                statement.append([
                    statement.bind(sighting.address.storableText), statement.bind(sighting.ext.storableText), statement.bind(sighting.role.rawValue),
                    statement.bind(sighting.userAgent?.storableText), statement.bind(sighting.vendor?.storableText),
                    statement.bind(sighting.model?.storableText), statement.bind(sighting.firmware?.storableText), time, time,
                ].joined(separator: ", "))
                // A firmware change is dated when a known device announces another version than it had.
                statement.append("""
                    ) ON CONFLICT (address, extension) DO UPDATE SET
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
                        first_seen = LEAST(inventory.first_seen, excluded.first_seen),
                        last_seen = GREATEST(inventory.last_seen, excluded.last_seen)
                    """)
                try await transaction.execute(statement)
            }
        }
    }

    public func inventory() async throws(StoreError) -> [InventoryDevice] {
        try await rows("SELECT \(Self.inventoryColumns) FROM inventory ORDER BY address, extension", Self.device)
    }

    public func inventoryDevice(address: String, ext: String) async throws(StoreError) -> InventoryDevice? {
        var statement = PostgresStatement("SELECT \(Self.inventoryColumns) FROM inventory WHERE address = ")
        statement.append("\(statement.bind(address.storableText)) AND extension = \(statement.bind(ext.storableText))")
        return try await rows(statement, Self.device).first
    }

    @discardableResult
    public func saveInventoryDetails(_ device: InventoryDevice) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("INSERT INTO inventory (\(Self.inventoryColumns)) VALUES (")
        statement.append([
            statement.bind(device.address.storableText), statement.bind(device.ext.storableText), statement.bind(device.role.rawValue),
            statement.bind(device.userAgent?.storableText), statement.bind(device.vendor?.storableText), statement.bind(device.model?.storableText),
            statement.bind(device.firmware?.storableText), statement.bind(device.firstSeen.timeIntervalSince1970),
            statement.bind(device.lastSeen.timeIntervalSince1970), statement.bind(device.firmwareChanged?.timeIntervalSince1970),
            statement.bind(device.owner?.storableText), statement.bind(device.department?.storableText),
            statement.bind(device.location?.storableText), statement.bind(device.notes?.storableText),
        ].joined(separator: ", "))
        // A known device keeps what was seen of it; only the operator's fields given are written.
        // `xmax = 0` holds for a row this statement inserted, not for one it updated.
        statement.append("""
            ) ON CONFLICT (address, extension) DO UPDATE SET owner = COALESCE(excluded.owner, inventory.owner),
                department = COALESCE(excluded.department, inventory.department),
                location = COALESCE(excluded.location, inventory.location), notes = COALESCE(excluded.notes, inventory.notes)
            RETURNING (xmax = 0)
            """)
        return try await rows(statement) { cells in try cells.next(Bool.self) }.first ?? false
    }

    public func removeInventoryDevice(address: String, ext: String) async throws(StoreError) -> Bool {
        var statement = PostgresStatement("DELETE FROM inventory WHERE address = ")
        statement.append("\(statement.bind(address.storableText)) AND extension = \(statement.bind(ext.storableText)) RETURNING 1")
        return try await execute(statement) > 0
    }

    // MARK: - Failover drills

    public func saveDrillResult(_ result: FailoverDrillResult) async throws(StoreError) {
        let text = try result.storedText()
        var statement = PostgresStatement("INSERT INTO drill_results (time, result) VALUES (")
        statement.append("\(statement.bind(result.time.timeIntervalSince1970)), \(statement.bind(text)))")
        try await execute(statement)
    }

    public func lastDrillResult() async throws(StoreError) -> FailoverDrillResult? {
        let text = try await rows("SELECT result FROM drill_results ORDER BY time DESC, id DESC LIMIT 1") { cells in try cells.next(String.self) }
        return text.first.flatMap(FailoverDrillResult.init(storedText:))
    }
}
