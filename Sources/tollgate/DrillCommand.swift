import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SIPCore
import TollgateAudit
import TollgateConfig
import TollgateModel

/// `tollgate drill failover`: the failover plan tested, and the result kept for the living document.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Drills: test the plans that only matter on a bad day.",
        subcommands: [Failover.self]
    )

    struct Failover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "failover",
            abstract: "Take each trunk of a test number's route out in turn and check that a probe gets through the next one.",
            discussion: """
                The trunks are taken in the order the gateway tries them (priority, then the route's order). With \
                each one out, the trunk calls would go to instead is asked with OPTIONS (each trunk once); any \
                answer but 503 passes the step. The running gateway is not touched, so nothing has to be put \
                back. The result is stored for 'tollgate report'. Exits 0 when every step passed, 1 otherwise.
                """)

        @Option(name: .long, help: "A number whose route is drilled (the route the calls that matter take).")
        var testNumber = "0"

        @Option(name: .long, help: "Seconds to wait for each trunk's answer.")
        var timeout: Double = 2

        @Option(name: .long, help: "Send the probes from this local address.")
        var source: String?

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            guard timeout > 0, timeout <= 30 else {
                printError("--timeout must be more than 0 and at most 30 seconds")
                throw ExitCode(2)
            }
            let config = try options.loadOrExit()
            let store = try await options.openStoreOrExit()
            let wait = TimeAmount.milliseconds(Int64(timeout * 1000))
            let source = self.source
            let result = await FailoverDrill(config: config, testNumber: testNumber).run(at: Date()) { trunk in
                await Self.ask(trunk.endpoint, timeout: wait, source: source)
            }
            try await store.saveDrillResult(result)
            for step in result.steps { print("\(step.passed ? "PASS" : "FAIL")  \(TextTable.printable(step.detail))") }
            print(result.passed ? "failover drill passed: calls to \(testNumber) get through with any one trunk out"
                                : "failover drill failed: see the steps above")
            if !result.passed { throw ExitCode(1) }
        }

        /// OPTIONS to a trunk over its transport; the status it answered.
        static func ask(_ endpoint: Endpoint, timeout: TimeAmount, source: String?) async -> Int? {
            let host: String
            if IPAddress(endpoint.host) != nil {
                host = endpoint.host
            } else {
                guard let resolved = try? SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port).ipAddress else { return nil }
                host = resolved
            }
            switch endpoint.transport {
            case .udp:
                guard let probe = try? await SIPProbe(host: host, port: endpoint.port, source: source, timeout: timeout, requestsPerSecond: 10) else {
                    return nil
                }
                defer { Task { await probe.close() } }
                let options = SIPMessage(method: .options, uri: "sip:\(probe.targetHostPort)", headers: [
                    (.via, "SIP/2.0/UDP \(probe.localAddress):\(probe.localPort);branch=\(SIPVia.magicCookie)drill\(UInt32.random(in: 0...UInt32.max));rport"),
                    (.maxForwards, "70"), (.from, "<sip:tollgate@\(probe.localAddress)>;tag=drill\(UInt32.random(in: 0...UInt32.max))"),
                    (.to, "<sip:\(probe.targetHostPort)>"), (.callID, "drill-\(UUID().uuidString)"), (.cseq, "1 OPTIONS"),
                    (.userAgent, "Tollgate failover drill"), (.contentLength, "0"),
                ])
                return (try? await probe.send(options))?.final?.statusCode
            case .tcp, .tls:
                return await StreamOptions.ask(host: host, port: endpoint.port, tls: endpoint.transport == .tls, timeout: timeout)?.statusCode
            }
        }
    }
}
