import Foundation
import TollgateModel

/// What a device announced in one successful exchange through the gateway.
public struct DeviceAnnouncement: Sendable, Hashable {
    public var address: String
    /// The extension (a phone's user part), "" for a PBX or a trunk.
    public var ext: String
    public var role: InventoryDevice.Role
    public var userAgent: String?
    public var server: String?
    /// The tag it put in To, when it answered.
    public var toTag: String?

    public init(address: String, ext: String, role: InventoryDevice.Role, userAgent: String?, server: String? = nil, toTag: String? = nil) {
        self.address = address
        self.ext = ext
        self.role = role
        self.userAgent = userAgent
        self.server = server
        self.toTag = toTag
    }
}

/// The inventory the gateway keeps without scanning: each device that registers, calls or answers
/// through it, identified from what it announces. Decides what is worth recording — a new device,
/// a firmware change, or a device seen again after ``refresh`` — so the store is not written for every
/// message. Pure: time is passed in.
public struct PassiveInventory: Sendable {
    /// What changed with an announcement.
    public enum Change: Sendable, Hashable {
        /// A device never seen before.
        case new
        /// A known device announcing another firmware than before.
        case firmwareChanged(from: String?, to: String?)
        /// A known device, seen again (its last-seen time moves on).
        case seen
    }

    /// What to record about an announcement.
    public struct Observation: Sendable, Hashable {
        public var sighting: DeviceSighting
        public var change: Change
        public var identity: DeviceIdentity?
    }

    private struct Key: Hashable {
        var address: String
        var ext: String
    }

    private struct Known {
        var firmware: String?
        var announced: String?
        var recorded: Date
    }

    public let fingerprints: DeviceFingerprints
    /// How often a device seen again is recorded (its last-seen time).
    public var refresh: TimeInterval
    /// The most devices remembered; past it the least recently recorded are forgotten (and are
    /// recorded as seen, not new, when they come back: the store knows them).
    public var capacity: Int
    private var known: [Key: Known] = [:]

    /// - Parameter devices: the inventory so far (from the store), so a restart reports no device as new.
    public init(fingerprints: DeviceFingerprints, devices: [InventoryDevice] = [], refresh: TimeInterval = 600, capacity: Int = 100_000,
                now: Date = Date()) {
        self.fingerprints = fingerprints
        self.refresh = refresh
        self.capacity = capacity
        for device in devices {
            known[Key(address: device.address, ext: device.ext)] = Known(firmware: device.firmware, announced: device.userAgent,
                                                                         recorded: device.lastSeen)
        }
    }

    public var count: Int { known.count }

    /// What to record about `announcement` at `time`, or nil when nothing changed since it was last recorded.
    public mutating func observe(_ announcement: DeviceAnnouncement, at time: Date) -> Observation? {
        let key = Key(address: announcement.address, ext: announcement.ext)
        let announced = announcement.userAgent ?? announcement.server
        let previous = known[key]
        if let previous, previous.announced == announced, time.timeIntervalSince(previous.recorded) < refresh { return nil }
        let identity = fingerprints.identify(userAgent: announcement.userAgent, server: announcement.server, toTag: announcement.toTag)
        let firmware = identity?.firmware
        let change: Change
        if let previous {
            change = firmware != nil && previous.firmware != nil && firmware != previous.firmware
                ? .firmwareChanged(from: previous.firmware, to: firmware) : .seen
        } else {
            change = .new
        }
        if previous == nil, known.count >= capacity { forgetOldest() }
        known[key] = Known(firmware: firmware ?? previous?.firmware, announced: announced, recorded: time)
        let sighting = DeviceSighting(address: announcement.address, ext: announcement.ext, role: announcement.role,
                                      userAgent: announced.map(Self.printable), vendor: identity?.vendor, model: identity?.model,
                                      firmware: firmware, time: time)
        return Observation(sighting: sighting, change: change, identity: identity)
    }

    private mutating func forgetOldest() {
        let sorted = known.sorted { $0.value.recorded < $1.value.recorded }
        for (key, _) in sorted.prefix(max(1, capacity / 10)) { known[key] = nil }
    }

    /// At most 200 characters, without control characters (what a device announces is its own to choose).
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }).prefix(200))
    }
}
