import Foundation
import Testing
@testable import tollgate

@Suite("DurationArgument and PointInTimeArgument")
struct DurationArgumentTests {
    @Test("a number and a unit give seconds", arguments: [
        ("30s", 30), ("15m", 900), ("2h", 7200), ("7d", 604_800), ("1H", 3600), (" 5m ", 300), ("permanent", 3_153_600_000),
    ])
    func parses(text: String, seconds: Int) throws {
        #expect(try DurationArgument(parsing: text).seconds == seconds)
    }

    @Test("anything else is refused with the reason", arguments: [
        ("", DurationArgument.ParseError.malformed("")), ("10", .malformed("10")), ("h", .malformed("h")), ("1.5h", .malformed("1.5h")),
        ("-5m", .malformed("-5m")), ("3w", .malformed("3w")), ("1h30m", .malformed("1h30m")), ("0s", .zero("0s")),
        ("36501d", .tooLong("36501d")), ("99999999999999999d", .tooLong("99999999999999999d")),
        ("١٢s", .malformed("١٢s")),
    ])
    func refuses(text: String, error: DurationArgument.ParseError) {
        #expect(throws: error) { try DurationArgument(parsing: text) }
    }

    @Test("permanent can be refused where it makes no sense")
    func permanentOptional() {
        #expect(throws: DurationArgument.ParseError.malformed("permanent")) { try DurationArgument(parsing: "permanent", allowPermanent: false) }
    }

    @Test("description is the shortest exact form")
    func description() {
        #expect(DurationArgument(seconds: 3600).description == "1h")
        #expect(DurationArgument(seconds: 5400).description == "90m")
        #expect(DurationArgument(seconds: 86_400 * 7).description == "7d")
        #expect(DurationArgument(seconds: 61).description == "61s")
        #expect(DurationArgument(seconds: DurationArgument.permanentSeconds).description == "permanent")
    }

    @Test("approximate shows at most two units, rounded down")
    func approximate() {
        #expect(DurationArgument.approximate(seconds: 0) == "0s")
        #expect(DurationArgument.approximate(seconds: -5) == "0s")
        #expect(DurationArgument.approximate(seconds: 45) == "45s")
        #expect(DurationArgument.approximate(seconds: 3552) == "59m 12s")
        #expect(DurationArgument.approximate(seconds: 3600) == "1h")
        #expect(DurationArgument.approximate(seconds: 7199) == "1h 59m")
        #expect(DurationArgument.approximate(seconds: 6 * 86_400 + 23 * 3600 + 59) == "6d 23h")
        #expect(DurationArgument.approximate(seconds: DurationArgument.permanentSeconds - 10) == "permanent")
    }

    @Test("a point in time is a duration back from now or an ISO-8601 time")
    func pointInTime() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(try PointInTimeArgument(parsing: "10m", now: now).date == now.addingTimeInterval(-600))
        #expect(try PointInTimeArgument(parsing: "1d", now: now).date == now.addingTimeInterval(-86_400))
        #expect(try PointInTimeArgument(parsing: "2025-06-15T10:00:00Z").date == Date(timeIntervalSince1970: 1_749_981_600))
        #expect(try PointInTimeArgument(parsing: "2025-06-15T12:00:00+02:00").date == Date(timeIntervalSince1970: 1_749_981_600))
        #expect(try PointInTimeArgument(parsing: "2025-06-15T10:00:00.500Z").date == Date(timeIntervalSince1970: 1_749_981_600.5))
        #expect(try PointInTimeArgument(parsing: "2025-06-15").date == Date(timeIntervalSince1970: 1_749_945_600))
        for text in ["yesterday", "permanent", "2025-13-01T00:00:00Z", "10", ""] {
            #expect(throws: PointInTimeArgument.ParseError(text: text)) { try PointInTimeArgument(parsing: text, now: now) }
        }
    }
}
