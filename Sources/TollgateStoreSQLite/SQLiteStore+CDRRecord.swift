import Foundation
import GRDB
import TollgateModel
import TollgateStore

/// A row of `cdrs`.
struct CDRRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "cdrs"

    enum CodingKeys: String, CodingKey {
        case id
        case callID = "call_id"
        case direction
        case from = "from_user"
        case to = "to_number"
        case destinationClass = "class"
        case account, source, trunk, start, answer, end, duration, billsec, cause, disposition, hangup, rule, media, identity
    }

    var id: Int64?
    var callID: String
    var direction: String
    var from: String
    var to: String
    var destinationClass: String?
    var account: String
    var source: String
    var trunk: String?
    var start: Double
    var answer: Double?
    var end: Double
    /// Seconds from start to end, kept so SQL can sum and filter without computing it.
    var duration: Double
    /// Seconds from answer to end.
    var billsec: Double
    var cause: Int?
    var disposition: String
    var hangup: String?
    var rule: String?
    /// The media summary in its text form (``CallMediaSummary/text``), when the call's media was anchored.
    var media: String?
    /// The caller identity verdict, for calls from trunks when identity is verified.
    var identity: String?

    /// The row for `record`, without an id: the store gives one on insert.
    init(_ record: CallDetailRecord) {
        id = nil
        callID = record.callID.storableText
        direction = record.direction.rawValue
        from = record.from.storableText
        to = record.to.storableText
        destinationClass = record.destinationClass?.storableText
        account = record.account.storableText
        source = record.source.storableText
        trunk = record.trunk?.storableText
        start = record.start.timeIntervalSince1970
        answer = record.answer?.timeIntervalSince1970
        end = record.end.timeIntervalSince1970
        duration = record.duration
        billsec = record.billableSeconds
        cause = record.cause
        disposition = record.disposition.rawValue
        hangup = record.hangup?.rawValue
        rule = record.rule?.storableText
        media = record.media?.text.storableText
        identity = record.identity?.storableText
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The record; values this build does not know (written by a newer one) read as `outbound`,
    /// `failed` and no hangup side.
    var record: CallDetailRecord {
        CallDetailRecord(
            id: id, callID: callID, direction: CallDetailRecord.Direction(rawValue: direction) ?? .outbound, from: from, to: to,
            destinationClass: destinationClass, account: account, source: source, trunk: trunk, start: Date(timeIntervalSince1970: start),
            answer: answer.map(Date.init(timeIntervalSince1970:)), end: Date(timeIntervalSince1970: end), cause: cause,
            disposition: CallDetailRecord.Disposition(rawValue: disposition) ?? .failed,
            hangup: hangup.flatMap(CallDetailRecord.HangupSide.init(rawValue:)), rule: rule,
            media: media.flatMap(CallMediaSummary.init(text:)), identity: identity)
    }
}
