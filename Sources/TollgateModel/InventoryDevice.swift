import Foundation

/// A device in the phone system's inventory: seen by the gateway (a REGISTER, a call, an answer), found
/// by `audit discover`, or entered by the operator. Identified by its address and extension.
public struct InventoryDevice: Sendable, Hashable, Codable {
    /// What part the device plays.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// A desk phone, softphone or ATA (something with an extension).
        case phone
        /// The PBX behind the gateway.
        case pbx
        /// A carrier's SIP trunk (its SBC).
        case trunk
        /// Anything else that speaks SIP (found by discovery).
        case other
    }

    /// The address the device was seen at (IP text).
    public var address: String
    /// The extension (the user part it registers or calls as), "" for a PBX, a trunk or a server.
    public var ext: String
    public var role: Role
    /// The User-Agent or Server it announced, as sent.
    public var userAgent: String?
    public var vendor: String?
    public var model: String?
    public var firmware: String?
    public var firstSeen: Date
    public var lastSeen: Date
    /// When the firmware last changed (first seen with another version), if it ever did.
    public var firmwareChanged: Date?
    /// The operator's fields: who has it, where it is, anything else.
    public var owner: String?
    public var department: String?
    public var location: String?
    public var notes: String?

    public init(address: String, ext: String, role: Role, userAgent: String? = nil, vendor: String? = nil, model: String? = nil,
                firmware: String? = nil, firstSeen: Date, lastSeen: Date, firmwareChanged: Date? = nil, owner: String? = nil,
                department: String? = nil, location: String? = nil, notes: String? = nil) {
        self.address = address
        self.ext = ext
        self.role = role
        self.userAgent = userAgent
        self.vendor = vendor
        self.model = model
        self.firmware = firmware
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.firmwareChanged = firmwareChanged
        self.owner = owner
        self.department = department
        self.location = location
        self.notes = notes
    }

    /// `address` or `address/ext`: how commands name a device.
    public var key: String { ext.isEmpty ? address : "\(address)/\(ext)" }
}

/// The gateway saw a device: what it announced and when. The store merges sightings into the
/// inventory (first seen kept, last seen moved on, firmware changes dated); the operator's fields are
/// never touched by one.
public struct DeviceSighting: Sendable, Hashable, Codable {
    public var address: String
    public var ext: String
    public var role: InventoryDevice.Role
    public var userAgent: String?
    public var vendor: String?
    public var model: String?
    public var firmware: String?
    public var time: Date

    public init(address: String, ext: String, role: InventoryDevice.Role, userAgent: String?, vendor: String?, model: String?,
                firmware: String?, time: Date) {
        self.address = address
        self.ext = ext
        self.role = role
        self.userAgent = userAgent
        self.vendor = vendor
        self.model = model
        self.firmware = firmware
        self.time = time
    }
}
