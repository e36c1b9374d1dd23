import Foundation

/// What a running gateway reports about itself: shown live by the console, and written as JSON
/// beside its store so that other `tollgate` commands (`route test`) can show it without a
/// connection to the gateway.
public struct GatewayStatus: Codable, Sendable, Equatable {
    public var updated: Date
    public var processID: Int32
    public var trunksUp: [String: Bool]
    public var serverTransactions: Int
    public var clientTransactions: Int
    public var earlyDialogs: Int
    public var confirmedDialogs: Int
    public var remotePhoneBindings: Int
    /// The registration with each trunk that needs one; absent from gateways without any.
    public var registrations: [String: RegistrationStatus]?
    /// Media ports held by anchored calls (RTP and RTCP, both legs), and how many there are;
    /// absent when media is not anchored.
    public var mediaPortsInUse: Int?
    public var mediaPortCapacity: Int?

    public init(updated: Date, processID: Int32, trunksUp: [String: Bool], serverTransactions: Int, clientTransactions: Int, earlyDialogs: Int,
                confirmedDialogs: Int, remotePhoneBindings: Int, registrations: [String: RegistrationStatus]?) {
        self.updated = updated
        self.processID = processID
        self.trunksUp = trunksUp
        self.serverTransactions = serverTransactions
        self.clientTransactions = clientTransactions
        self.earlyDialogs = earlyDialogs
        self.confirmedDialogs = confirmedDialogs
        self.remotePhoneBindings = remotePhoneBindings
        self.registrations = registrations
    }

    /// Status older than this is from a gateway that is no longer running.
    public static let freshness: TimeInterval = 30

    /// The status file for a store path: `tollgate.db` → `tollgate.status.json` in the same folder.
    public static func path(forStore store: String) -> String {
        let url = URL(fileURLWithPath: store)
        return url.deletingPathExtension().path + ".status.json"
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The status at `path` if it is fresh, else `nil`.
    public static func read(from path: String, now: Date = Date()) -> GatewayStatus? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let status = try? decoder.decode(GatewayStatus.self, from: data), now.timeIntervalSince(status.updated) < freshness else {
            return nil
        }
        return status
    }
}

