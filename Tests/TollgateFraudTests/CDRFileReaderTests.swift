import Foundation
import Testing
@testable import TollgateFraud
import TollgateModel

@Suite("CDR file readers")
struct CDRFileReaderTests {
    static let asteriskHeader = "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,uniqueid\n"

    static func one(_ text: String, _ format: CDRFormat, zone: String = "UTC") throws -> CDRFileReader.Item {
        let items = try CDRTestSupport.items(try CDRTestSupport.temporaryFile(text), format: format, zone: zone)
        try #require(items.count == 1, "\(items)")
        return items[0]
    }

    static func row(_ text: String, _ format: CDRFormat, zone: String = "UTC") throws -> CallDetailRecord {
        guard case .row(let row) = try one(text, format, zone: zone) else {
            Issue.record("not a row: \(try one(text, format, zone: zone))")
            throw CancellationError()
        }
        return row.record
    }

    @Test("Asterisk: the account is accountcode, else src; ANSWERED rows are answered, others not")
    func asteriskRows() throws {
        let answered = try Self.row(
            #""","201","00252612345678","from-internal","""Smith, John"" <201>","SIP/201-0001","SIP/t-0002","Dial","SIP/t/00252612345678,60","2026-11-24 20:15:03","2026-11-24 20:15:09","2026-11-24 20:17:09",126,120,"ANSWERED","DOCUMENTATION","1795.1""# + "\n",
            .asterisk)
        #expect(answered.account == "201")
        #expect(answered.to == "00252612345678")
        #expect(answered.start == CDRTestSupport.date("2026-11-24T20:15:03Z"))
        #expect(answered.answer == CDRTestSupport.date("2026-11-24T20:15:09Z"))
        #expect(answered.end == CDRTestSupport.date("2026-11-24T20:17:09Z"))
        #expect(answered.disposition == .answered)
        #expect(answered.callID == "")  // 17 columns: uniqueid or userfield, ambiguous

        let coded = try Self.row(
            #""sales-1","202","01632960123","from-internal","","SIP/202-1","","Dial","","2026-11-24 09:00:00","","2026-11-24 09:00:20","20","0","NO ANSWER","DOCUMENTATION","1795.2","note""# + "\r\n",
            .asterisk)
        #expect(coded.account == "sales-1")
        #expect(coded.answer == nil)
        #expect(coded.disposition == .noAnswer)
        #expect(coded.callID == "1795.2")

        let busy = try Self.row(#""","203","2001","from-internal","","SIP/203-1","","Dial","","2026-11-24 09:00:00","","2026-11-24 09:00:02","2","0","BUSY","DOCUMENTATION""#, .asterisk)
        #expect(busy.disposition == .busy)
    }

    @Test("Asterisk: an answered row with an empty answer time is answered billsec before its end")
    func asteriskAnswerFromBillsec() throws {
        let record = try Self.row(#""","201","01632960123","c","","","","","","2026-11-24 09:00:00","","2026-11-24 09:01:00","60","45","ANSWERED","3""#, .asterisk)
        #expect(record.answer == CDRTestSupport.date("2026-11-24T09:00:15Z"))
    }

    @Test("Local times are read in the given zone, across a daylight-saving change")
    func localTimes() throws {
        let summer = try Self.row(#""","201","0123","c","","","","","","2026-07-01 12:00:00","","2026-07-01 12:00:10","10","0","NO ANSWER","3""#,
                                  .asterisk, zone: "Europe/London")
        #expect(summer.start == CDRTestSupport.date("2026-07-01T11:00:00Z"))
        let winter = try Self.row(#""","201","0123","c","","","","","","2026-12-01 12:00:00","","2026-12-01 12:00:10","10","0","NO ANSWER","3""#,
                                  .asterisk, zone: "Europe/London")
        #expect(winter.start == CDRTestSupport.date("2026-12-01T12:00:00Z"))
        let newYork = try Self.row(#""","201","0123","c","","","","","","2026-03-08 03:30:00","","2026-03-08 03:30:10","10","0","NO ANSWER","3""#,
                                   .asterisk, zone: "America/New_York")
        #expect(newYork.start == CDRTestSupport.date("2026-03-08T07:30:00Z"))
    }

    @Test("FreeSWITCH: 15 quoted columns, account from accountcode else caller_id_number, answered when answer_stamp is set")
    func freeswitchRows() throws {
        let answered = try Self.row(
            #""<script>alert(1)</script>","1001","0033142123456","default","2026-11-24 20:15:03","2026-11-24 20:15:05","2026-11-24 20:16:05","62","60","NORMAL_CLEARING","a1b2","","","PCMA","PCMA""#,
            .freeswitch)
        #expect(answered.account == "1001")
        #expect(answered.from == "1001")
        #expect(answered.disposition == .answered)
        #expect(answered.callID == "a1b2")
        #expect(answered.billableSeconds == 60)

        let cancelled = try Self.row(
            #""Bob","1002","07700900123","default","2026-11-24 20:15:03","","2026-11-24 20:15:13","10","0","ORIGINATOR_CANCEL","c3d4","","acct-9","PCMU","PCMU""#,
            .freeswitch)
        #expect(cancelled.account == "acct-9")
        #expect(cancelled.answer == nil)
        #expect(cancelled.disposition == .noAnswer)

        let busy = try Self.row(
            #""Bob","1002","07700900123","default","2026-11-24 20:15:03","","2026-11-24 20:15:04","1","0","USER_BUSY","e5","","","PCMU","PCMU""#,
            .freeswitch)
        #expect(busy.disposition == .busy)
    }

    @Test("Tollgate: the export's header is skipped, UTC times with milliseconds, empty for nil, inbound rows not analysed")
    func tollgateRows() throws {
        let text = CDRFormat.tollgateHeader + "\r\n"
            + "abc@host,outbound,201,\"00252,612\",high-risk,201,192.0.2.1,carrier,2026-11-24T20:15:03.120Z,2026-11-24T20:15:04.000Z,2026-11-24T20:16:04.500Z,61,60,answered,200,caller,\r\n"
            + "def@host,inbound,+441632960000,201,,carrier,198.51.100.7,carrier,2026-11-24T20:15:03.120Z,,2026-11-24T20:15:05.120Z,2,0,no-answer,487,caller,\r\n"
            + "ghi@host,outbound,202,0900,premium,202,192.0.2.1,,2026-11-24T21:00:00.000Z,,2026-11-24T21:00:00.000Z,0,0,rejected,403,gateway,class-of-service\r\n"
        let items = try CDRTestSupport.items(try CDRTestSupport.temporaryFile(text), format: .tollgate)
        #expect(items.count == 3)
        let rows = CDRTestSupport.rows(items)
        #expect(rows.count == 2)
        #expect(rows[0].line == 2)
        #expect(rows[0].record.to == "00252,612")
        #expect(abs(rows[0].record.start.timeIntervalSince(CDRTestSupport.date("2026-11-24T20:15:03Z")) - 0.12) < 0.0001)
        #expect(abs(rows[0].record.end.timeIntervalSince(rows[0].record.start) - 61.38) < 0.001)
        #expect(rows[0].record.hangup == .caller)
        #expect(items[1] == .inbound(line: 3))
        #expect(rows[1].record.disposition == .rejected)
        #expect(rows[1].record.rule == "class-of-service")
        #expect(rows[1].record.trunk == nil)
    }

    @Test("Malformed rows are reported with their line and reason", arguments: [
        (CDRFormat.asterisk, #""","201","0123""#, "expected 16 to 18 columns, found 3"),
        (.asterisk, #""","201","0123","c","","","","","","2026-02-30 10:00:00","","2026-03-01 10:00:00","1","0","FAILED","3""#, "unparseable start time"),
        (.asterisk, #""","201","0123","c","","","","","","2026-11-24 10:00:00","","2026-11-24 09:00:00","1","0","FAILED","3""#, "is before start"),
        (.asterisk, #""","201","0123","c","","","","","","2026-11-24 10:00:00","","2026-11-24 10:01:00","1m","0","FAILED","3""#, "duration \"1m\" is not a whole number"),
        (.asterisk, #""","201","0123","c","","","","","","","","2026-11-24 10:01:00","1","0","FAILED","3""#, "empty start time"),
        (.freeswitch, #""a","1","2","c","2026-11-24 10:00:00","2026-11-24 09:00:00","2026-11-24 10:01:00","60","0","X","u","","","","""#, "is outside start…end"),
        (.freeswitch, #""a","1","2""#, "expected 15 columns, found 3"),
        (.freeswitch, #""a","1","2,"#, "unclosed quote"),
        (.tollgate, "x,sideways,1,2,,a,s,t,2026-11-24T10:00:00.000Z,,2026-11-24T10:00:01.000Z,1,0,failed,500,caller,", "unknown direction"),
        (.tollgate, "x,outbound,1,2,,a,s,t,2026-11-24 10:00:00,,2026-11-24T10:00:01.000Z,1,0,failed,500,caller,", "unparseable start time"),
        (.tollgate, "x,outbound,1,2,,a,s,t,2026-11-24T10:00:00.000Z,,2026-11-24T10:00:01.000Z,1,0,lost,500,caller,", "unknown disposition"),
    ])
    func malformedRows(format: CDRFormat, text: String, reason: String) throws {
        let item = try Self.one("\n" + text + "\n", format)
        guard case .malformed(let bad) = item else {
            Issue.record("accepted: \(item)")
            return
        }
        #expect(bad.line == 2)
        #expect(bad.reason.contains(reason), "\(bad.reason)")
    }

    @Test("The malformed fixture: five bad rows at their exact lines, the other rows read")
    func malformedFixture() throws {
        let items = try CDRTestSupport.items(CDRTestSupport.fixture("malformed-asterisk.csv"), format: .asterisk, zone: "Europe/London")
        #expect(CDRTestSupport.malformed(items).map(\.line) == [5, 9, 14, 20, 26])
        #expect(CDRTestSupport.rows(items).count == 27)
    }
}
