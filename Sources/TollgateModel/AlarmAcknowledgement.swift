import Foundation

/// An operator's acknowledgement of a fraud alarm (an event): who took it in hand, when, and a note.
public struct AlarmAcknowledgement: Sendable, Hashable, Codable {
    /// The event's row id.
    public var eventID: Int64
    public var time: Date
    public var actor: String
    public var note: String

    public init(eventID: Int64, time: Date, actor: String, note: String) {
        self.eventID = eventID
        self.time = time
        self.actor = actor
        self.note = note
    }
}
