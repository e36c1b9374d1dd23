import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SIPCore
import SIPTransport
import TollgateConfig

/// The running gateway: binds the listeners, runs the proxy on one event loop, probes trunks,
/// and shuts down gracefully (stop accepting, let transactions finish for a moment, close).
/// Run it under swift-service-lifecycle's `ServiceGroup`.
public final class Gateway: Service {
    public let config: TollgateConfig
    private let logger: Logger
    private let policies: PolicyChain
    private let shutdownGrace: TimeAmount

    public init(config: TollgateConfig, logger: Logger, policies: PolicyChain = PolicyChain(), shutdownGrace: TimeAmount = .seconds(2)) {
        self.config = config
        self.logger = logger
        self.policies = policies
        self.shutdownGrace = shutdownGrace
    }

    public func run() async throws {
        let settings = try ProxySettings.resolve(config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let logger = self.logger
        let box = ProxyBox()
        let transport = SIPTransportLayer(eventLoop: loop, logger: logger, maximumMessageSize: config.limits.maxMessageSize,
                                          maximumConnectionsPerSource: config.limits.maxConnectionsPerSource) { packet in
            box.proxy?.receive(packet)
        }
        let proxy = SIPProxy(settings: settings, eventLoop: loop, outbound: transport, logger: logger, policies: policies)
        proxy.onEvent = { event in
            logger.notice("\(event.kind.rawValue)", metadata: ["source": "\(event.source)", "rule": "\(event.rule)", "detail": "\(event.detail)"])
        }
        try await loop.submit { box.proxy = proxy }.get()

        do {
            try await transport.start(settings.listeners.map(\.spec))
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info("gateway started", metadata: ["pbx": "\(settings.pbx)", "trunks": "\(settings.trunks.map(\.name))"])

        let probeInterval = config.trunks.filter(\.probe.enabled).map(\.probe.interval).min()
        let idleTimeout = TimeAmount.milliseconds(Int64(config.limits.tcpIdleTimeout * 1000))
        let tasks: [RepeatedTask] = try await loop.submit {
            var tasks = [loop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { _ in
                proxy.housekeeping()
                transport.closeIdleConnections(olderThan: idleTimeout)
            }]
            if let probeInterval {
                let interval = TimeAmount.milliseconds(Int64(probeInterval * 1000))
                tasks.append(loop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: interval) { _ in proxy.probeTrunks() })
            }
            return tasks
        }.get()

        // Report status beside the store every few seconds, off the event loop, until shutdown.
        let statusPath = GatewayStatus.path(forStore: config.store.path)
        let reporter = Task {
            while !Task.isCancelled {
                if let status = try? await loop.submit({ proxy.status() }).get() {
                    do { try status.write(to: statusPath) } catch { logger.debug("cannot write status: \(error)") }
                }
                try? await Task.sleep(for: .seconds(5))
            }
        }

        // Run until SIGTERM/SIGINT (graceful shutdown) or cancellation.
        try? await gracefulShutdown()
        reporter.cancel()
        logger.info("shutting down")

        for task in tasks { task.cancel() }
        try? await loop.submit { proxy.stop() }.get()
        // Give transactions in flight a moment to finish, then close everything.
        let pending = try? await loop.submit { proxy.snapshot.serverTransactions }.get()
        if let pending, pending > 0 {
            try? await Task.sleep(for: .nanoseconds(shutdownGrace.nanoseconds))
        }
        await transport.stop()
        try? FileManager.default.removeItem(atPath: statusPath)
        try await group.shutdownGracefully()
        logger.info("gateway stopped")
    }
}

/// Lets the transport's delivery closure reach the proxy created after it; touched only on the loop.
private final class ProxyBox: @unchecked Sendable {
    var proxy: SIPProxy?
}

