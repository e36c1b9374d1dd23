import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SIPTransport

/// The SIP side of the gateway: binds the listeners, runs the proxy's timers, trunk probes and
/// registrations, and, last in the group so the first to stop: unregisters from the trunks, stops
/// accepting, lets transactions in flight finish for a moment, closes, ends the calls still up
/// (with their CDRs) and finishes the event stream, so every subscriber reads to its end.
struct SIPService: Service {
    let proxy: SIPProxy
    let transport: SIPTransportLayer
    let listeners: [SIPListenerSpec]
    let loop: EventLoop
    let logger: Logger
    /// How long transactions in flight get at shutdown, and unregistrations from trunks.
    let shutdownGrace: TimeAmount
    /// Seconds between trunk probes (the shortest configured), or `nil` when no trunk is probed.
    let probeInterval: Double?
    let tcpIdleTimeout: TimeAmount

    func run() async throws {
        let proxy = self.proxy
        do {
            try await transport.start(listeners)
        } catch {
            try? await loop.submit { proxy.stop() }.get()
            proxy.activity.finish()
            throw error
        }
        logger.info("gateway started", metadata: ["pbx": "\(proxy.settings.pbx)", "trunks": "\(proxy.settings.trunks.map(\.name))",
                                                  "udp_reader": "\(transport.datagramLoop === transport.eventLoop ? "sip-loop" : "own-thread")"])
        try await loop.submit { proxy.startRegistrations() }.get()
        let (loop, transport, idle, probeInterval) = (self.loop, self.transport, self.tcpIdleTimeout, self.probeInterval)
        let tasks: [RepeatedTask] = try await loop.submit {
            var tasks = [loop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { _ in
                proxy.housekeeping()
                transport.closeIdleConnections(olderThan: idle)
            }]
            if let probeInterval {
                let interval = TimeAmount.milliseconds(Int64(probeInterval * 1000))
                tasks.append(loop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: interval) { _ in proxy.probeTrunks() })
            }
            return tasks
        }.get()

        // Until SIGTERM/SIGINT (graceful shutdown) or cancellation.
        try? await gracefulShutdown()
        logger.info("shutting down")
        for task in tasks { task.cancel() }
        // Unregister from trunks (best effort): wait for the answers, at most the grace period.
        if (try? await loop.submit({ proxy.stopRegistrations() }).get()) == true {
            let deadline = ContinuousClock.now + .nanoseconds(shutdownGrace.nanoseconds)
            while ContinuousClock.now < deadline, (try? await loop.submit({ proxy.registrationsPending }).get()) == true {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        try? await loop.submit { proxy.stop() }.get()
        // Give transactions in flight a moment to finish, then close everything.
        if let pending = try? await loop.submit({ proxy.snapshot.serverTransactions }).get(), pending > 0 {
            try? await Task.sleep(for: .nanoseconds(shutdownGrace.nanoseconds))
        }
        await transport.stop()
        // Calls still up are cut by the shutdown: they end here, with their CDRs.
        try? await loop.submit { proxy.endCallsInProgress() }.get()
        proxy.activity.finish()
        logger.info("gateway stopped")
    }
}
