import Foundation
import Testing
import TollgateFraud
import TollgateModel

@Suite("TollgateCDRFormat: the CSV and JSON of cdr export")
struct TollgateCDRFormatTests {
    static let start = Date(timeIntervalSince1970: 1_795_551_303.12)  // 2026-11-24T20:15:03.120Z

    @Test("the header names the 19 columns in their order")
    func header() {
        #expect(TollgateCDRFormat.header
            == "call_id,direction,from,to,class,account,source,trunk,start,answer,end,duration,billsec,disposition,cause,hangup,rule,media,identity")
        #expect(TollgateCDRFormat.header.split(separator: ",").count == 19)
    }

    @Test("a full record is one line with ISO-8601 millisecond times and seconds with up to 3 decimals")
    func fullLine() {
        let record = CallDetailRecord(
            callID: "a84b4c76e66710@pbx", direction: .outbound, from: "1001", to: "0041446681800", destinationClass: "international",
            account: "1001", source: "10.0.0.5", trunk: "carrier", start: Self.start, answer: Self.start.addingTimeInterval(4.5),
            end: Self.start.addingTimeInterval(64.625), cause: 200, disposition: .answered, hangup: .caller, rule: "after-hours")
        #expect(TollgateCDRFormat.line(for: record) == "a84b4c76e66710@pbx,outbound,1001,0041446681800,international,1001,10.0.0.5,carrier,"
            + "2026-11-24T20:15:03.120Z,2026-11-24T20:15:07.620Z,2026-11-24T20:16:07.745Z,64.625,60.125,answered,200,caller,after-hours,,")
    }

    @Test("unknown values are empty fields, and an unanswered call bills 0")
    func emptyFields() {
        let record = CallDetailRecord(callID: "c1", direction: .inbound, from: "", to: "1001", account: "carrier", source: "192.0.2.1",
                                      start: Self.start, end: Self.start.addingTimeInterval(3), disposition: .noAnswer)
        #expect(TollgateCDRFormat.line(for: record)
            == "c1,inbound,,1001,,carrier,192.0.2.1,,2026-11-24T20:15:03.120Z,,2026-11-24T20:15:06.120Z,3,0,no-answer,,,,,")
    }

    @Test("fields with a comma, a double quote, a CR or an LF are quoted with inner quotes doubled; others are not",
          arguments: [
            ("plain", "plain"), ("Alice, Bob", "\"Alice, Bob\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("a\nb", "\"a\nb\""),
            ("a\r\nb", "\"a\r\nb\""), ("", ""), ("semi;colon 'single'", "semi;colon 'single'"), ("\"", "\"\"\"\""),
          ])
    func quoting(text: String, expected: String) {
        #expect(TollgateCDRFormat.csvField(text) == expected)
    }

    @Test("times are UTC with milliseconds, rounded to the nearest, also before 1970 and around leap days")
    func timestamps() throws {
        let expected: [(TimeInterval, String)] = [
            (0, "1970-01-01T00:00:00.000Z"), (1_795_551_303.12, "2026-11-24T20:15:03.120Z"), (951_782_400, "2000-02-29T00:00:00.000Z"),
            (951_868_799.999, "2000-02-29T23:59:59.999Z"), (4_107_542_400.5, "2100-03-01T00:00:00.500Z"),
            (-86_400.25, "1969-12-30T23:59:59.750Z"), (1_709_164_800, "2024-02-29T00:00:00.000Z"),
            (253_402_300_799, "9999-12-31T23:59:59.000Z"), (1.9996, "1970-01-01T00:00:02.000Z"),
        ]
        for (seconds, text) in expected {
            #expect(TollgateCDRFormat.timestamp(Date(timeIntervalSince1970: seconds)) == text, "\(seconds)")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let read = try #require(formatter.date(from: TollgateCDRFormat.timestamp(Self.start)), "ISO8601DateFormatter reads it back")
        #expect(abs(read.timeIntervalSince(Self.start)) < 0.0005)
    }

    @Test("seconds drop trailing zeros and keep at most 3 decimals",
          arguments: [(0.0, "0"), (63, "63"), (12.5, "12.5"), (0.125, "0.125"), (1.0004, "1"), (1.0006, "1.001"), (3599.99, "3599.99")])
    func seconds(value: Double, expected: String) {
        #expect(TollgateCDRFormat.seconds(value) == expected)
    }

    @Test("JSON objects carry every column, null for unknown values, and read back")
    func json() throws {
        let record = CallDetailRecord(callID: "c1", direction: .inbound, from: "a, \"b\"", to: "1001", account: "carrier",
                                      source: "192.0.2.1", start: Self.start, end: Self.start.addingTimeInterval(3.0004),
                                      disposition: .failed)
        let data = try TollgateCDRFormat.jsonEncoder().encode(TollgateCDRFormat.JSONRecord(record))
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(TollgateCDRFormat.header.split(separator: ",").map(String.init)))
        #expect(object["answer"] is NSNull && object["cause"] is NSNull && object["trunk"] is NSNull && object["class"] is NSNull)
        #expect(object["start"] as? String == "2026-11-24T20:15:03.120Z")
        #expect(object["duration"] as? Double == 3)
        #expect(object["from"] as? String == "a, \"b\"")
        let decoded = try JSONDecoder().decode(TollgateCDRFormat.JSONRecord.self, from: data)
        #expect(decoded == TollgateCDRFormat.JSONRecord(record))
    }
}
