import Testing
import TollgateConfig
@testable import TollgateFraud

@Suite("number classification")
struct NumberClassifierTests {
    static let prefixes: HighRiskPrefixes = {
        (try? HighRiskPrefixes.shipped()) ?? HighRiskPrefixes()
    }()
    static let uk = NumberClassifier(plan: NumberingPlan(), prefixes: prefixes)
    static let nanp = NumberClassifier(
        plan: NumberingPlan(countryCode: "1", nationalPrefix: "1", internationalPrefix: "011", extensionDigits: 3...4,
                            emergency: ["911"], mobilePrefixes: []),
        prefixes: prefixes
    )

    @Test("UK plan: extensions, emergency, national, mobile, international, premium and high-risk numbers", arguments: [
        ("201", NumberClass.internal, nil, nil, nil),
        ("20001", .internal, nil, nil, nil),
        ("200012", .national, "+44200012", "44", nil),
        ("999", .emergency, nil, nil, nil),
        ("112", .emergency, nil, nil, nil),
        ("01632960123", .national, "+441632960123", "44", nil),
        ("07700900123", .mobile, "+447700900123", "44", nil),
        ("00441632960123", .national, "+441632960123", "44", nil),
        ("+44 7700 900123", .mobile, "+447700900123", "44", nil),
        ("0033123456789", .international, "+33123456789", "33", nil),
        ("09098790123", .premium, "+449098790123", "44", "+449"),
        ("00449098790123", .premium, "+449098790123", "44", "+449"),
        ("00902122345678", .international, "+902122345678", "90", nil),
        ("00881612345678", .highRisk, "+881612345678", "881", "+881"),
        ("00252612345678", .highRisk, "+252612345678", "252", "+252"),
        ("+1 (876) 555-0100", .highRisk, "+18765550100", "1", "+1876"),
        ("0012125550100", .international, "+12125550100", "1", nil),
        ("004990012345678", .premium, "+4990012345678", "49", "+49900"),
        ("tel:+441632960123", .national, "+441632960123", "44", nil),
        ("sip:201@pbx.example.com", .internal, nil, nil, nil),
        ("sip:+252612345678@carrier.example.com;user=phone", .highRisk, "+252612345678", "252", "+252"),
    ] as [(String, NumberClass, String?, String?, String?)])
    func ukPlan(dialled: String, expected: NumberClass, e164: String?, countryCode: String?, prefix: String?) throws {
        let result = try Self.uk.classify(dialled)
        #expect(result == Classification(numberClass: expected, e164: e164, countryCode: countryCode, matchedPrefix: prefix))
    }

    @Test("NANP plan: 011 is international, 1-900 premium, Caribbean look-alikes high-risk", arguments: [
        ("011441632960123", NumberClass.international, "+441632960123", "44", nil),
        ("19005550100", .premium, "+19005550100", "1", "+1900"),
        ("1-976-555-0100", .premium, "+19765550100", "1", "+1976"),
        ("18765550100", .highRisk, "+18765550100", "1", "+1876"),
        ("12125550100", .national, "+12125550100", "1", nil),
        ("2125550100", .national, "+12125550100", "1", nil),
        ("911", .emergency, nil, nil, nil),
        ("2001", .internal, nil, nil, nil),
    ] as [(String, NumberClass, String?, String?, String?)])
    func nanpPlan(dialled: String, expected: NumberClass, e164: String?, countryCode: String?, prefix: String?) throws {
        let result = try Self.nanp.classify(dialled)
        #expect(result == Classification(numberClass: expected, e164: e164, countryCode: countryCode, matchedPrefix: prefix))
    }

    @Test("Input that is not a number is refused with a typed error", arguments: [
        ("", DialledNumberError.empty),
        ("  - ( ) ", .empty),
        ("+", .empty),
        ("abc", .invalidCharacter("a", in: "abc")),
        ("0800*1", .invalidCharacter("*", in: "0800*1")),
        ("+44+1", .invalidCharacter("+", in: "+44+1")),
        ("00 4412 3456 7890 1234", .tooLong("4412345678901234")),
    ])
    func badInput(dialled: String, error: DialledNumberError) {
        #expect(throws: error) { try Self.uk.classify(dialled) }
    }

    @Test("An emergency number is never high-risk, even when it looks like a premium prefix")
    func emergencyWins() throws {
        let plan = NumberingPlan(emergency: ["112", "999", "09"])
        let classifier = NumberClassifier(plan: plan, prefixes: Self.prefixes)
        #expect(try classifier.classify("09").numberClass == .emergency)
    }

    @Test("Explicit internal prefixes limit extensions to numbers starting with them")
    func internalPrefixes() throws {
        let plan = NumberingPlan(extensionDigits: 3...4, internalPrefixes: ["2", "3"])
        let classifier = NumberClassifier(plan: plan, prefixes: Self.prefixes)
        #expect(try classifier.classify("2001").numberClass == .internal)
        #expect(try classifier.classify("401").numberClass == .national)
    }

    @Test("The configured plan and its extra high-risk prefixes are used")
    func fromConfig() throws {
        var numbering = FraudConfig.Numbering()
        numbering.highRiskPrefixes = ["+3375", "4420"]
        let classifier = NumberClassifier(config: numbering, prefixes: Self.prefixes)
        let paris = try classifier.classify("0033755512345")
        #expect(paris.numberClass == .highRisk)
        #expect(paris.matchedPrefix == "+3375")
        #expect(try classifier.classify("02079460958").matchedPrefix == "+4420")
        #expect(try classifier.classify("0033123456789").numberClass == .international)
    }

    @Test("Country codes are found by ITU length: 1 and 7, the two-digit list, otherwise three digits", arguments: [
        ("18765550100", "1"), ("74951234567", "7"), ("201234567", "20"), ("441632960123", "44"),
        ("353123456", "353"), ("881612345678", "881"), ("0441", nil), ("4", nil), ("35", nil),
    ] as [(String, String?)])
    func countryCodes(digits: String, code: String?) {
        #expect(CountryCallingCode.of(digits) == code)
    }
}
