import Foundation
import Testing
import TollgateConfig
@testable import TollgateFraud

@Suite("No policy written, no policy judged: who calls where, and the policy that would allow it")
struct ServiceClassProposalTests {
    static func analyzeWithoutPolicy(_ file: String, format: CDRFormat) throws -> CDRAnalysis {
        let config = FraudConfig()
        #expect(!config.hasServiceClassPolicy)
        var options = CDRAnalyzer.Options(format: format, timeZone: TimeZone(identifier: "Europe/London")!)
        options.judgesClassOfService = config.hasServiceClassPolicy
        return try CDRAnalyzer(options: options).analyze(path: CDRTestSupport.fixture(file), policy: try CDRTestSupport.engine(config))
    }

    @Test("with no class of service configured, a month of ordinary international calls gives no class-of-service finding, and the calls abroad are listed by account and country",
          arguments: [("clean-month-asterisk.csv", CDRFormat.asterisk), ("clean-month-freeswitch.csv", .freeswitch)])
    func ordinaryCallsAbroad(file: String, format: CDRFormat) throws {
        let analysis = try Self.analyzeWithoutPolicy(file, format: format)
        #expect(!analysis.findings.contains { $0.rule == .classOfService })
        #expect(!analysis.classOfServiceJudged)
        let abroad = analysis.callPatterns.filter(\.callsBeyondNational)
        #expect(abroad.map(\.account) == ["210", "211", "212", "213", "214", "215"])
        #expect(abroad.map { $0.classes["international"] ?? 0 }.reduce(0, +) == 142)
        #expect(Set(abroad.flatMap(\.countries.keys)) == ["33", "34", "49", "353"])
    }

    @Test("the proposed policy is valid configuration, and with it the same month gives no class-of-service finding")
    func proposalAllowsThePattern() throws {
        let analysis = try Self.analyzeWithoutPolicy("clean-month-asterisk.csv", format: .asterisk)
        let proposal = ServiceClassProposal(patterns: analysis.callPatterns)
        #expect(proposal.classes.count == 1)
        #expect(proposal.classes.first?.accounts == ["210", "211", "212", "213", "214", "215"])
        #expect(proposal.nationalAccounts == 9)
        let yaml = "listeners: [{ listen: udp:127.0.0.1:5070 }]\npbx: udp:127.0.0.20:5080\n" + proposal.yaml
        let config = try TollgateConfig(yaml: yaml).fraud
        #expect(config.hasServiceClassPolicy)
        let judged = try CDRAnalyzer(options: CDRAnalyzer.Options(format: .asterisk, timeZone: TimeZone(identifier: "Europe/London")!))
            .analyze(path: CDRTestSupport.fixture("clean-month-asterisk.csv"), policy: try CDRTestSupport.engine(config))
        #expect(!judged.findings.contains { $0.rule == .classOfService }, "\(judged.findings)")
    }

    @Test("premium calls get a class of their own, marked for review; odd account names are quoted safely")
    func premiumMarkedForReview() throws {
        var premium = AccountCallPattern(account: "3021\"x")
        premium.classes = ["national": 4, "premium": 18]
        premium.countries = ["371": 18]
        var abroad = AccountCallPattern(account: "210")
        abroad.classes = ["international": 3]
        abroad.countries = ["33": 3]
        let proposal = ServiceClassProposal(patterns: [premium, abroad])
        #expect(proposal.classes.map(\.needsReview) == [false, true])
        #expect(proposal.classes.last?.allow == ["internal", "national", "mobile", "premium"])
        #expect(proposal.yaml.contains("# review: premium or high-risk numbers were called"))
        #expect(proposal.yaml.contains("\"3021\\\"x\""))
        let yaml = "listeners: [{ listen: udp:127.0.0.1:5070 }]\npbx: udp:127.0.0.20:5080\n" + proposal.yaml
        let config = try TollgateConfig(yaml: yaml).fraud
        #expect(config.groups.contains { $0.accounts == ["3021\"x"] })
    }

    @Test("an operator's own policy is judged as written: a premium call outside it is a finding, and no pattern is proposed")
    func writtenPolicyIsJudged() throws {
        let config = try CDRTestSupport.fraudConfig("clean.yaml")
        #expect(config.hasServiceClassPolicy)
        var options = CDRAnalyzer.Options(format: .asterisk, timeZone: TimeZone(identifier: "Europe/London")!)
        options.judgesClassOfService = config.hasServiceClassPolicy
        let analysis = try CDRAnalyzer(options: options).analyze(path: CDRTestSupport.fixture("probing-asterisk.csv"),
                                                                 policy: try CDRTestSupport.engine(config))
        #expect(analysis.classOfServiceJudged)
        #expect(analysis.findings.contains { $0.rule == .classOfService && $0.account == "207" })
        #expect(analysis.callPatterns.isEmpty)
    }

    @Test("a default class other than national counts as a written policy; classes or groups alone do too")
    func whatCountsAsAPolicy() {
        var config = FraudConfig()
        #expect(!config.hasServiceClassPolicy)
        config.defaultClassOfService = "international"
        #expect(config.hasServiceClassPolicy)
        config = FraudConfig()
        config.classesOfService["desk"] = FraudConfig.ClassOfService(allow: ["internal"])
        #expect(config.hasServiceClassPolicy)
    }

    @Test("the HTML report shows who calls where and the proposal, escaped")
    func reportShowsPattern() throws {
        let analysis = try Self.analyzeWithoutPolicy("clean-month-asterisk.csv", format: .asterisk)
        let html = CDRReportHTML(analysis: analysis, fileName: "Master.csv").rendered
        #expect(html.contains("<h2>Who calls where</h2>"))
        #expect(html.contains("countries: [&quot;33&quot;, &quot;34&quot;, &quot;49&quot;, &quot;353&quot;]"))
        #expect(!html.contains("class-of-service"))
    }
}
