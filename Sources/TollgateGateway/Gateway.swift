import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import SIPCore
import SIPTransport
import TollgateAudit
import TollgateConfig
import TollgateFraud
import TollgateMedia
import TollgateModel
import TollgateShield
import TollgateStore

/// Assembles the running gateway from its configuration: the event loop, the transports and the
/// proxy with Shield and its call hooks (fraud policy, SDP masking, CDR accounting), the event
/// stream and its subscribers (store writer, alerts, log), the syncs with the store, the status
/// file and SIGHUP reloads. Each runs as a swift-service-lifecycle `Service`; ``services()`` gives
/// them in the order a `ServiceGroup` should start them, which stops them in reverse: the SIP side
/// first (its calls end, the stream finishes), the store last.
public final class Gateway: Sendable {
    public let config: TollgateConfig
    let logger: Logger
    let shutdownGrace: TimeAmount
    let store: (any Store)?
    let shieldRules: ShieldRules?
    let alerts: (any AlertSink)?
    let reload: (@Sendable () throws -> GatewayRules)?
    /// The proxy once ``services()`` has built it, for ``status()``.
    let live = LiveProxy()

    /// - Parameters:
    ///   - config: The validated configuration.
    ///   - logger: Where the gateway logs.
    ///   - shutdownGrace: How long transactions in flight get at shutdown, and unregistrations from trunks.
    ///   - store: Where events, bans, CDRs and account state are kept; bans in it are in force from the start.
    ///   - shieldRules: Shield's rules; `nil` runs without Shield.
    ///   - alerts: Receives every event, off the message path; shut down with the gateway.
    ///   - reload: Builds new Shield rules and fraud policy on SIGHUP; a throw keeps the old ones.
    public init(config: TollgateConfig, logger: Logger, shutdownGrace: TimeAmount = .seconds(2),
                store: (any Store)? = nil, shieldRules: ShieldRules? = nil, alerts: (any AlertSink)? = nil,
                reload: (@Sendable () throws -> GatewayRules)? = nil) {
        self.config = config
        self.logger = logger
        self.shutdownGrace = shutdownGrace
        self.store = store
        self.shieldRules = shieldRules
        self.alerts = alerts
        self.reload = reload
    }

    /// How far back the calls counted again at start-up go (a calendar day and some).
    static let restoredHistory: TimeInterval = 25 * 3600
    /// The most calls counted again at start-up (the newest).
    static let restoredCallLimit = 200_000
    /// The most calls read at start-up to learn each account's normal (the newest).
    static let historyCallLimit = 300_000

    /// Builds the gateway (restoring bans, suspensions and the last day's calls from the store)
    /// and returns its services, in start order. Nothing listens until the group runs them.
    public func services() async throws -> [any Service] {
        let settings = try ProxySettings.resolve(config)
        let media = config.media.anchor ? try MediaSettings.resolve(config.media, trunks: config.trunks, listeners: settings.listeners) : nil
        // With a reader thread, the UDP sockets are read, and their datagrams parsed and validated,
        // on a loop of their own while the SIP loop handles the one before.
        let readerThread = config.performance.readerThread.isOn(cores: System.coreCount)
            && settings.listeners.contains { $0.spec.transport == .udp }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: readerThread ? 2 : 1)
        let parts: GatewayParts
        do {
            parts = try await build(on: group, readerThread: readerThread, settings: settings, media: media)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }

        // Subscribers first, so they see everything from the first packet on.
        var services: [any Service] = [EventLoopService(group: group)]
        if let mediaGroup = parts.mediaGroup { services.append(EventLoopService(media: mediaGroup)) }
        if let store { services.append(StoreMaintenanceService(store: store)) }
        if let cdrWriter = parts.cdrWriter { services.append(CallRecordWriterService(writer: cdrWriter)) }
        services += subscriberServices(parts)

        let started = Date()
        let nodeName = config.cluster.nodeName ?? ClusterMembership.defaultName(firstListener: config.listeners.first?.endpoint.description)
        let membership = store.map { _ in ClusterMembership(nodeName: nodeName, settings: config.cluster) }
        let identityHook = try await parts.loop.submit { self.attach(parts, membership: membership, started: started) }.get()
        services += syncServices(parts, membership: membership, started: started)

        let live = self.live
        services.append(StatusService(proxy: parts.proxy, loop: parts.loop, path: GatewayStatus.path(forStore: config.store.path), logger: logger))
        services.append(MetricsSampleService(stream: parts.activity, writer: parts.cdrWriter, relay: { live.relay() }))
        if let reload {
            services.append(ReloadService(reload: reload, proxy: parts.proxy, fraud: parts.fraud, identity: identityHook, loop: parts.loop,
                                          logger: logger, store: store))
        }
        services.append(SIPService(proxy: parts.proxy, transport: parts.transport, listeners: settings.listeners.map(\.spec), loop: parts.loop,
                                   logger: logger, shutdownGrace: shutdownGrace,
                                   probeInterval: config.trunks.filter(\.probe.enabled).map(\.probe.interval).min(),
                                   tcpIdleTimeout: .milliseconds(Int64(config.limits.tcpIdleTimeout * 1000))))
        return services
    }

    /// The running gateway's state (trunks, transactions, dialogs, registrations); `nil` before
    /// ``services()`` has built it or once its loop has stopped.
    public func status() async -> GatewayStatus? {
        guard let (proxy, loop) = live.get() else { return nil }
        guard var status = try? await loop.submit({ proxy.status() }).get() else { return nil }
        if let relay = live.relay() {
            status.mediaPortsInUse = relay.portsInUse
            status.mediaPortCapacity = relay.portCapacity
        }
        return status
    }
}

/// The proxy and its loop, set once ``Gateway/services()`` has built them; read from any task.
final class LiveProxy: Sendable {
    private let state = NIOLockedValueBox<(SIPProxy, any EventLoop)?>(nil)
    private let media = NIOLockedValueBox<MediaRelay?>(nil)

    func set(_ proxy: SIPProxy, on loop: any EventLoop) { state.withLockedValue { $0 = (proxy, loop) } }
    func setRelay(_ relay: MediaRelay) { media.withLockedValue { $0 = relay } }
    func relay() -> MediaRelay? { media.withLockedValue { $0 } }
    func get() -> (SIPProxy, any EventLoop)? { state.withLockedValue { $0 } }
}
