import Foundation
import TollgateStore
import TollgateModel

/// The JSON body a webhook receives for one event:
/// `{"detail":…,"kind":…,"node":…,"rule":…,"severity":…,"source":…,"time":"2026-11-24T18:13:54.250Z"}`.
struct WebhookAlertPayload: Codable, Sendable, Hashable {
    var time: String
    var kind: String
    var source: String
    var rule: String
    var detail: String
    var severity: String
    var node: String

    init(_ event: SecurityEvent, node: String) {
        self.time = AlertTimestamp.rfc3339(event.time)
        self.kind = event.kind
        self.source = event.source
        self.rule = event.rule
        self.detail = event.detail
        self.severity = event.severity.rawValue
        self.node = node
    }

    /// The payload as UTF-8 JSON with sorted keys.
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
