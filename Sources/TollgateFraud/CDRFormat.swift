/// The CDR file layouts `tollgate cdr analyze` reads.
public enum CDRFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// Asterisk's `Master.csv` from cdr_csv: accountcode, src, dst, dcontext, clid, channel,
    /// dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition,
    /// amaflags, then uniqueid and userfield when configured (16 to 18 columns). Times are local.
    case asterisk
    /// FreeSWITCH mod_cdr_csv's default template: caller_id_name, caller_id_number,
    /// destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec,
    /// hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec. Times are local.
    case freeswitch
    /// Tollgate's own CSV export (``header``); times are ISO 8601 in UTC.
    case tollgate

    /// The header line of Tollgate's CSV export.
    public static var tollgateHeader: String { TollgateCDRFormat.header }

    /// The number of columns a row has (a range for Asterisk's optional columns).
    public var columns: ClosedRange<Int> {
        switch self {
        case .asterisk: 16...18
        case .freeswitch: 15...15
        case .tollgate: 17...19
        }
    }

    /// The columns a row of this layout holds, for error messages.
    public var layout: String {
        switch self {
        case .asterisk:
            "accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags[, uniqueid, userfield]"
        case .freeswitch:
            "caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec"
        case .tollgate:
            Self.tollgateHeader.split(separator: ",").joined(separator: ", ")
        }
    }

    /// The first column's name in the format's header line, by which a header is recognised.
    var firstHeaderField: String {
        switch self {
        case .asterisk: "accountcode"
        case .freeswitch: "caller_id_name"
        case .tollgate: "call_id"
        }
    }

    /// Whether the times in the file are local (read in the analysis's time zone) rather than UTC.
    public var hasLocalTimes: Bool { self != .tollgate }
}
