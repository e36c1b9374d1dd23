import Testing

@testable import TollgateAudit

@Suite("Versions compared as versions")
struct SoftwareVersionTests {
    @Test("numbers, not text: 20.9.2 < 20.10.0, 66.86.0.15 < 66.86.0.100, 1.10.12-release = 1.10.12")
    func ordering() throws {
        func v(_ text: String) throws -> SoftwareVersion { try #require(SoftwareVersion(text)) }
        #expect(try v("20.9.2") < v("20.10.0"))
        #expect(try v("66.86.0.15") < v("66.86.0.100"))
        #expect(try v("1.10.12-release") == v("1.10.12"))
        #expect(try v("18.24.2") == v("18.24.2.0"))
        #expect(try v("7.6.2") < v("7.6.2c") && v("7.6.2c") < v("7.6.3"))
        #expect(try v("11-1-0MSR3-9").parts == [11, 1, 0])
        #expect(try v("Asterisk PBX 20.9.2").parts == [20, 9, 2])
        #expect(try v("FPBX-16.0.40(20.9.2)").parts == [16, 0, 40])
        #expect(SoftwareVersion("release") == nil)
        #expect(SoftwareVersion("99999999999999") == nil)
    }

    @Test("ranges: *, families, and constraints joined by commas", arguments: [
        ("*", "1.0", true), ("20.*", "20.9.2", true), ("20.*", "21.0", false), ("20.*", "2.0", false),
        (">=20,<20.9.2", "20.9.1", true), (">=20,<20.9.2", "20.9.2", false), (">=20,<20.9.2", "19.9", false),
        ("<=1.10.1", "1.10.1", true), (">1.6", "1.6.0", false), ("=3.21.5", "3.21.5", true),
        (">=18.11.1213,<=18.12.416", "18.12.100", true), (">=18.11.1213,<=18.12.416", "18.11.999", false),
    ])
    func ranges(range: String, version: String, expected: Bool) throws {
        let parsed = try #require(VersionRange(range))
        #expect(parsed.contains(SoftwareVersion(version)) == expected)
    }

    @Test("an unknown version is only in *; bad ranges are refused")
    func unknownAndBad() throws {
        #expect(try #require(VersionRange("*")).contains(nil))
        #expect(try #require(VersionRange("<20")).contains(nil) == false)
        for bad in ["", "~>1.0", "<", "x.*", "20.x"] { #expect(VersionRange(bad) == nil, "\(bad)") }
    }
}
