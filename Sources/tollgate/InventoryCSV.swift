import Foundation
import TollgateFraud
import TollgateModel

/// The inventory as CSV, for `inventory export` and `inventory import`: one device per line, times
/// in ISO 8601 UTC, fields quoted as RFC 4180 says.
enum InventoryCSV {
    static let columns = [
        "address", "extension", "role", "vendor", "model", "firmware", "user_agent", "first_seen", "last_seen", "firmware_changed",
        "owner", "department", "location", "notes",
    ]
    static var header: String { columns.joined(separator: ",") }

    static func line(_ device: InventoryDevice) -> String {
        let fields: [String] = [
            device.address, device.ext, device.role.rawValue, device.vendor ?? "", device.model ?? "", device.firmware ?? "",
            device.userAgent ?? "", Timestamp.text(device.firstSeen), Timestamp.text(device.lastSeen),
            device.firmwareChanged.map(Timestamp.text) ?? "", device.owner ?? "", device.department ?? "", device.location ?? "",
            device.notes ?? "",
        ]
        return fields.map(TollgateCDRFormat.csvField).joined(separator: ",")
    }

    /// Why a row cannot be imported.
    struct RowError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    /// Reads every row of `path`: the header names the columns (`address` is required, the others
    /// may be left out or empty). The whole file is read before anything is written: the devices, or
    /// every row's error.
    static func read(path: String, now: Date) throws -> (devices: [InventoryDevice], errors: [RowError]) {
        var reader = try CSVRecordReader(path: path)
        var columns: [String: Int] = [:]
        var devices: [InventoryDevice] = []
        var errors: [RowError] = []
        let iso = ISO8601DateFormatter()
        while true {
            let step = try reader.next()
            if step == .end { break }
            guard step == .record else {
                errors.append(RowError(line: reader.line, message: step == .overflow ? "a record longer than 64 KiB" : "a quote is never closed"))
                continue
            }
            let fields = (0..<reader.fieldCount).map { reader.string($0).trimmingCharacters(in: .whitespaces) }
            if columns.isEmpty {
                for (index, name) in fields.enumerated() {
                    let key = name.lowercased()
                    guard Self.columns.contains(key) else {
                        throw CLIError(message: "\(path): unknown column \"\(name)\"; the columns are \(header)")
                    }
                    columns[key] = index
                }
                guard columns["address"] != nil else { throw CLIError(message: "\(path): the header needs an address column (\(header))") }
                continue
            }
            func value(_ name: String) -> String? {
                guard let index = columns[name], index < fields.count, !fields[index].isEmpty else { return nil }
                return fields[index]
            }
            let line = reader.line
            guard let address = value("address"), let parsed = IPAddress(address) else {
                errors.append(RowError(line: line, message: "\"\(value("address") ?? "")\" is not an IP address"))
                continue
            }
            var role = InventoryDevice.Role.phone
            if let text = value("role") {
                guard let known = InventoryDevice.Role(rawValue: text.lowercased()) else {
                    errors.append(RowError(line: line, message: "unknown role \"\(text)\" (phone, pbx, trunk or other)"))
                    continue
                }
                role = known
            }
            var times: [String: Date] = [:]
            var bad = false
            for name in ["first_seen", "last_seen", "firmware_changed"] {
                guard let text = value(name) else { continue }
                guard let date = iso.date(from: text) else {
                    errors.append(RowError(line: line, message: "\(name) \"\(text)\" is not an ISO 8601 time"))
                    bad = true
                    break
                }
                times[name] = date
            }
            if bad { continue }
            if let control = fields.first(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
                errors.append(RowError(line: line, message: "a control character in \"\(control.prefix(20))\""))
                continue
            }
            devices.append(InventoryDevice(
                address: parsed.description, ext: value("extension") ?? "", role: role, userAgent: value("user_agent"),
                vendor: value("vendor"), model: value("model"), firmware: value("firmware"), firstSeen: times["first_seen"] ?? now,
                lastSeen: times["last_seen"] ?? times["first_seen"] ?? now, firmwareChanged: times["firmware_changed"],
                owner: value("owner"), department: value("department"), location: value("location"), notes: value("notes")))
        }
        return (devices, errors)
    }
}
