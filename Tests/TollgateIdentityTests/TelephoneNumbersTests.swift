import Testing

@testable import TollgateIdentity

@Suite("Telephone numbers compared as E.164")
struct TelephoneNumbersTests {
    @Test("North America: +1, eleven digits, ten digits and 011 are one number")
    func northAmerica() {
        let numbers = TelephoneNumbers(countryCode: "1")
        for form in ["+12155550100", "12155550100", "2155550100", "215-555-0100", "(215) 555.0100", "+12155550100;npdi;rn=2155559999"] {
            #expect(numbers.e164(form) == "12155550100", "\(form)")
        }
        #expect(numbers.e164("01149301234567") == "49301234567")
    }

    @Test("Germany: 0 and 00 prefixes")
    func germany() {
        let numbers = TelephoneNumbers(countryCode: "49")
        #expect(numbers.e164("0301234567") == "49301234567")
        #expect(numbers.e164("0049301234567") == "49301234567")
        #expect(numbers.e164("+49301234567") == "49301234567")
        #expect(numbers.same("030 1234567", "+49 30 1234567"))
    }

    @Test("names and oversized numbers are no numbers")
    func notNumbers() {
        let numbers = TelephoneNumbers()
        #expect(numbers.e164("alice") == nil)
        #expect(numbers.e164("") == nil)
        #expect(numbers.e164("+1234567890123456") == nil)
        #expect(numbers.e164("12+34") == nil)
        #expect(!numbers.same("anonymous", "anonymous"))
    }

    @Test("caller-ID screen: own numbers, extension ranges and VIPs, unless verified A")
    func screen() throws {
        let numbers = TelephoneNumbers(countryCode: "49")
        let screen = CallerIDScreen(
            numbers: numbers,
            ownNumbers: [try #require(.init("+4930123456*", numbers: numbers)), try #require(.init("2000-2999", numbers: numbers))],
            vips: [try #require(.init("+491701234567", numbers: numbers))])
        #expect(screen.suspicious(callers: ["030123456100"], verdict: .absent) == .ownNumber)
        #expect(screen.suspicious(callers: ["2001"], verdict: .failed(.badSignature)) == .ownNumber)
        #expect(screen.suspicious(callers: ["01701234567"], verdict: .verified(.b)) == .vip)
        #expect(screen.suspicious(callers: ["01701234567"], verdict: .verified(.a)) == nil)
        #expect(screen.suspicious(callers: ["+4989555"], verdict: .absent) == nil)
        #expect(screen.suspicious(callers: ["20011"], verdict: .absent) == nil)
    }
}
