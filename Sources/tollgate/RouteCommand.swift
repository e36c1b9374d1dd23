import ArgumentParser
import Foundation
import TollgateConfig
import TollgateFraud
import TollgateGateway
import TollgateModel

/// `tollgate route test NUMBER`.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Inspect call routing.",
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which route rule and trunks a call to NUMBER would use, and what the fraud policy makes of it.")

        @Argument(help: "The dialled number, as the PBX sends it.")
        var number: String

        @Option(help: "The calling extension: show its class of service and whether the fraud policy would let the call through now.")
        var account: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try options.loadOrExit()
            try describePolicy(config)
            guard let (rule, trunks) = config.route(for: number) else {
                print("\(number): no route matches; the call would be refused (503)")
                throw ExitCode(1)
            }
            let prefix = rule.prefix.isEmpty ? "(default)" : rule.prefix
            print("\(number): rule \(rule.name ?? prefix) (prefix \(prefix))")
            var dialled = String(number.dropFirst(rule.stripDigits))
            dialled = rule.prependDigits + dialled
            if dialled != number { print("  sent as \(dialled)") }
            let status = GatewayStatus.read(from: GatewayStatus.path(forStore: config.store.path))
            let ordered = trunks.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
            for (index, trunk) in ordered.enumerated() {
                var state = status.map { $0.trunksUp[trunk.name] == true ? "up" : "DOWN" } ?? "state unknown"
                if let registration = status?.registrations?[trunk.name] {
                    state += ", " + Self.describe(registration)
                }
                print("  \(index + 1). \(trunk.name) \(trunk.endpoint) priority \(trunk.priority): \(state)")
            }
            if let status {
                let first = ordered.first { status.trunksUp[$0.name] == true }
                print(first.map { "  now: \($0.name)" } ?? "  now: no trunk is up; the call would be refused (503)")
            } else {
                print("  (no running gateway reports state here; start `tollgate serve` to see which trunks are up)")
            }
        }

        /// The number's class and, with `--account`, the account's class of service and the verdict of
        /// the rules that do not depend on counters (class of service, after hours) at this moment.
        func describePolicy(_ config: TollgateConfig) throws {
            let classifier: NumberClassifier
            var engine: FraudEngine
            do {
                classifier = NumberClassifier(config: config.fraud.numbering, prefixes: try HighRiskPrefixes.shipped())
                engine = try FraudEngine(config: config.fraud, classifier: classifier)
            } catch {
                printError("fraud: \(error)")
                throw ExitCode(2)
            }
            switch Result(catching: { () throws(DialledNumberError) in try classifier.classify(number) }) {
            case .success(let classification):
                var facts = [classification.e164, classification.matchedPrefix.map { "prefix \($0) on the high-risk list" }].compactMap { $0 }
                if let code = classification.countryCode, classification.numberClass == .international { facts.append("country code \(code)") }
                print("\(number): \(classification.numberClass.rawValue)" + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))"))
            case .failure(let error):
                print("\(number): not a number the fraud policy can read (\(error))")
            }
            guard let account else { return }
            let (group, serviceClass) = engine.classOfService(for: account)
            let decision = engine.begin(CallAttempt(callID: "route-test", account: account, dialled: number, source: "", time: Date()))
            let who = "  account \(account): class of service \(serviceClass)" + (group.map { " (group \($0))" } ?? " (default)")
            if !config.fraud.enabled {
                print(who + "; the fraud policy is off (enabled: false)")
            } else if let critical = decision.critical {
                print(who + "; refused now by \(critical.rule.rawValue): \(critical.detail)")
            } else {
                let warnings = decision.alarms.map { "\($0.rule.rawValue) warning: \($0.detail)" }
                print(who + "; allowed now" + (warnings.isEmpty ? "" : "; " + warnings.joined(separator: "; ")) + " (thresholds depend on live counters)")
            }
        }

        /// A trunk registration in a few words: `registered for 3600 s`, `registration failed: answered 403`.
        static func describe(_ registration: RegistrationStatus) -> String {
            switch registration.state {
            case "registered":
                return "registered" + (registration.expires.map { " for \($0) s" } ?? "")
            case "failed":
                return "registration failed" + (registration.lastFailure.map { ": \($0)" } ?? "")
            default:
                return "registration \(registration.state)"
            }
        }
    }
}
