import Foundation
import TollgateModel
import Testing

@Suite("DurationText and PointInTimeText")
struct DurationTextTests {
    @Test("a number and a unit give seconds", arguments: [
        ("30s", 30), ("15m", 900), ("2h", 7200), ("7d", 604_800), ("1H", 3600), (" 5m ", 300), ("permanent", 3_153_600_000),
    ])
    func parses(text: String, seconds: Int) throws {
        #expect(try DurationText(parsing: text).seconds == seconds)
    }

    @Test("anything else is refused with the reason", arguments: [
        ("", DurationText.ParseError.malformed("")), ("10", .malformed("10")), ("h", .malformed("h")), ("1.5h", .malformed("1.5h")),
        ("-5m", .malformed("-5m")), ("3w", .malformed("3w")), ("1h30m", .malformed("1h30m")), ("0s", .zero("0s")),
        ("36501d", .tooLong("36501d")), ("99999999999999999d", .tooLong("99999999999999999d")),
        ("١٢s", .malformed("١٢s")),
    ])
    func refuses(text: String, error: DurationText.ParseError) {
        #expect(throws: error) { try DurationText(parsing: text) }
    }

    @Test("permanent can be refused where it makes no sense")
    func permanentOptional() {
        #expect(throws: DurationText.ParseError.malformed("permanent")) { try DurationText(parsing: "permanent", allowPermanent: false) }
    }

    @Test("description is the shortest exact form")
    func description() {
        #expect(DurationText(seconds: 3600).description == "1h")
        #expect(DurationText(seconds: 5400).description == "90m")
        #expect(DurationText(seconds: 86_400 * 7).description == "7d")
        #expect(DurationText(seconds: 61).description == "61s")
        #expect(DurationText(seconds: DurationText.permanentSeconds).description == "permanent")
    }

    @Test("approximate shows at most two units, rounded down")
    func approximate() {
        #expect(DurationText.approximate(seconds: 0) == "0s")
        #expect(DurationText.approximate(seconds: -5) == "0s")
        #expect(DurationText.approximate(seconds: 45) == "45s")
        #expect(DurationText.approximate(seconds: 3552) == "59m 12s")
        #expect(DurationText.approximate(seconds: 3600) == "1h")
        #expect(DurationText.approximate(seconds: 7199) == "1h 59m")
        #expect(DurationText.approximate(seconds: 6 * 86_400 + 23 * 3600 + 59) == "6d 23h")
        #expect(DurationText.approximate(seconds: DurationText.permanentSeconds - 10) == "permanent")
    }

    @Test("a point in time is a duration back from now or an ISO-8601 time")
    func pointInTime() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(try PointInTimeText(parsing: "10m", now: now).date == now.addingTimeInterval(-600))
        #expect(try PointInTimeText(parsing: "1d", now: now).date == now.addingTimeInterval(-86_400))
        #expect(try PointInTimeText(parsing: "2025-06-15T10:00:00Z").date == Date(timeIntervalSince1970: 1_749_981_600))
        #expect(try PointInTimeText(parsing: "2025-06-15T12:00:00+02:00").date == Date(timeIntervalSince1970: 1_749_981_600))
        #expect(try PointInTimeText(parsing: "2025-06-15T10:00:00.500Z").date == Date(timeIntervalSince1970: 1_749_981_600.5))
        #expect(try PointInTimeText(parsing: "2025-06-15").date == Date(timeIntervalSince1970: 1_749_945_600))
        for text in ["yesterday", "permanent", "2025-13-01T00:00:00Z", "10", ""] {
            #expect(throws: PointInTimeText.ParseError(text: text)) { try PointInTimeText(parsing: text, now: now) }
        }
    }
}
