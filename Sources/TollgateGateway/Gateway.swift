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
    private let logger: Logger
    private let shutdownGrace: TimeAmount
    private let store: (any Store)?
    private let shieldRules: ShieldRules?
    private let alerts: (any AlertSink)?
    private let reload: (@Sendable () throws -> GatewayRules)?
    /// The proxy once ``services()`` has built it, for ``status()``.
    private let live = LiveProxy()

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
        let config = self.config
        let logger = self.logger
        let settings = try ProxySettings.resolve(config)
        let media = config.media.anchor ? try MediaSettings.resolve(config.media, trunks: config.trunks, listeners: settings.listeners) : nil
        // With a reader thread, the UDP sockets are read, and their datagrams parsed and validated,
        // on a loop of their own while the SIP loop handles the one before.
        let readerThread = config.performance.readerThread.isOn(cores: System.coreCount)
            && settings.listeners.contains { $0.spec.transport == .udp }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: readerThread ? 2 : 1)
        let loops = Array(group.makeIterator())
        let loop = loops[0]
        let receiver = SIPReceiver()
        let transport = SIPTransportLayer(eventLoop: loop, datagramLoop: readerThread ? loops[1] : nil, logger: logger,
                                          maximumMessageSize: config.limits.maxMessageSize,
                                          maximumConnectionsPerSource: config.limits.maxConnectionsPerSource,
                                          busyPollWindow: .microseconds(Int64(config.performance.busyPollMicroseconds)),
                                          busyPollMinimumRate: config.performance.busyPollMinimumRate,
                                          admits: { address in receiver.admits(address) }) { packet in
            receiver.receive(packet, on: loop)
        }
        do {
            // Client certificates and private trust roots for TLS trunks.
            for trunk in config.trunks where trunk.tlsCertificate != nil || trunk.tlsCA != nil {
                guard let peer = settings.trunks.first(where: { $0.name == trunk.name })?.peer else { continue }
                try transport.setClientTLS(SIPClientTLSIdentity(certificatePath: trunk.tlsCertificate, keyPath: trunk.tlsKey,
                                                                trustRootsPath: trunk.tlsCA), for: peer.address)
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let activity = GatewayActivityStream()
        let proxy = SIPProxy(settings: settings, eventLoop: loop, outbound: transport, logger: logger, activity: activity)
        let fraud = try FraudControl(config: config.fraud,
                                     classifier: NumberClassifier(config: config.fraud.numbering, prefixes: HighRiskPrefixes.shipped()))
        let cdrWriter: CallRecordWriter?
        let progress: CallProgressJournal?
        if let store {
            cdrWriter = CallRecordWriter(store: store, journal: await openCallRecordJournal(for: store), logger: logger)
            progress = await openCallProgressJournal(for: store)
        } else {
            cdrWriter = nil
            progress = nil
        }
        let shield = shieldRules.map { ShieldEngine(rules: $0, now: Date().timeIntervalSince1970) }
        let identity: IdentitySetup?
        do {
            identity = try await IdentitySetup.resolve(config.identity, trunks: config.trunks, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let storeClock = StoreClock()
        let restored = await restore(shield: shield, clock: storeClock)
        let fingerprints: DeviceFingerprints
        do {
            fingerprints = try DeviceFingerprints.shipped()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }

        // Subscribers first, so they see everything from the first packet on.
        var services: [any Service] = [EventLoopService(group: group)]
        // Media runs on loops of its own, one per core: a call's packets never wait for signalling.
        let mediaGroup: MediaLoopGroup?
        do {
            mediaGroup = try media.map { _ in try MediaLoopGroup(numberOfThreads: System.coreCount, logger: logger) }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        if let mediaGroup { services.append(EventLoopService(media: mediaGroup)) }
        if let store { services.append(StoreMaintenanceService(store: store)) }
        if let cdrWriter { services.append(CallRecordWriterService(writer: cdrWriter)) }
        if let store {
            let writer = StoreWriter(
                store: store, subscription: activity.subscribe("store", bufferSize: 100_000, where: StoreWriter.wants), logger: logger,
                banStored: { ban in
                    // From now on the store decides about this ban (an operator may lift it).
                    guard let shield, let stored = ShieldBan(ban) else { return }
                    loop.execute { shield.banSaved(stored.source, since: stored.since) }
                },
                suspensionStored: { suspension in loop.execute { fraud.suspensionStored(suspension.account) } }, clock: storeClock,
                journal: store.callRecordJournalBase.map { $0 + "-events" })
            services.append(ActivitySubscriberService(name: "store", read: { await writer.run() }))
        }
        if let alerts {
            let subscription = activity.subscribe("alerts", bufferSize: 100_000, where: \.isEvent)
            services.append(ActivitySubscriberService(name: "alerts", read: {
                for await item in subscription { if case .event(let event) = item { alerts.deliver(SecurityEvent(event)) } }
            }, finish: { await alerts.shutdown() }))
        }
        let logged = activity.subscribe("log", bufferSize: 10_000, where: \.isEvent)
        services.append(ActivitySubscriberService(name: "log", read: {
            for await item in logged {
                guard case .event(let event) = item else { continue }
                logger.notice("\(event.kind.rawValue)", metadata: ["source": "\(event.source)", "rule": "\(event.rule)", "detail": "\(event.detail)"])
            }
        }))

        let started = Date()
        let listenerText = config.listeners.map(\.endpoint.description).joined(separator: " ")
        let nodeName = config.cluster.nodeName ?? ClusterMembership.defaultName(firstListener: config.listeners.first?.endpoint.description)
        let membership = store.map { _ in ClusterMembership(nodeName: nodeName, settings: config.cluster) }
        // Shared limits cost a statement a call: on by default only where several nodes can share the store.
        let sharedLimits = (config.cluster.sharedLimits ?? (config.store.url != nil)) ? store : nil
        let identityHook = try await loop.submit { [restored] in
            fraud.learn(history: restored.history)
            fraud.setAllowances(restored.allowances)
            fraud.restore(restored.recentCalls)
            fraud.sync(suspensions: restored.suspensions, resets: [:], resetsAfter: started)
            if let media, let mediaGroup {
                let events = proxy.events
                let relay = MediaRelay(configuration: media.relay, loops: mediaGroup, logger: logger) { event in
                    loop.execute {
                        if event.kind == .abuse {
                            // Counted by Shield towards a ban; its findings are the events.
                            proxy.shieldNoteMediaAbuse(from: event.source, packets: event.packets)
                            return
                        }
                        events.emit(GatewayEvent.Kind(rawValue: event.kind.rawValue), address: event.source ?? "", rule: "media",
                                    detail: "\(event.detail) (call \(event.callID))", severity: event.kind == .timeout ? .notice : .warning)
                        if event.kind == .timeout, event.bothWays, media.hangUpOnTimeout {
                            proxy.hangUp(callID: event.callID, rule: "media-timeout", text: "media timeout")
                        }
                    }
                }
                self.live.setRelay(relay)
                proxy.addFirstCallHook(MediaCallHook(relay: relay, inside: media.inside, outside: media.outside,
                                                     trunkOutside: media.trunkOutside, events: events))
            }
            // Caller identity before fraud: its refusals come first, and fraud sees the verdict in the record.
            // Always there, so that a reload can turn it on; with no rules it passes every call untouched.
            let identityHook = IdentityCallHook(rules: identity?.makeRules(on: loop, logger: logger), events: proxy.events)
            proxy.addCallHook(identityHook)
            if let membership, let sharedLimits {
                // Before the fraud policy: a call the shared count refuses is not counted by this node either.
                proxy.addCallHook(SharedLimitsCallHook(store: sharedLimits, control: fraud, membership: membership, events: proxy.events, loop: loop,
                                                       logger: logger))
            }
            proxy.addCallHook(FraudCallHook(control: fraud, events: proxy.events))
            if let cdrWriter { proxy.addCallHook(CallRecordingHook(events: proxy.events, writer: cdrWriter, on: loop)) }
            if let progress { proxy.addCallHook(CallProgressHook(journal: progress, events: proxy.events, eventLoop: loop)) }
            // The passive inventory: every device whose REGISTER or call succeeds through the gateway.
            proxy.addExchangeObserver(InventoryObserver(inventory: PassiveInventory(fingerprints: fingerprints, devices: restored.inventory),
                                                        events: proxy.events))
            proxy.shield = shield
            receiver.start(proxy, transport: transport,
                           intake: SIPDatagramIntake(preparer: proxy.preparer, refusals: shield?.refusals, refusedCounter: proxy.metrics.refusedPackets,
                                                     keepAliveCounter: proxy.metrics.keepAlives))
            self.live.set(proxy, on: loop)
            return identityHook
        }.get()

        if let store {
            if let shield { services.append(BanSyncService(store: store, shield: shield, loop: loop, logger: logger, revision: restored.bansRevision,
                                                         clock: storeClock)) }
            services.append(AccountSyncService(store: store, fraud: fraud, loop: loop, logger: logger, revision: restored.accountsRevision,
                                               started: started))
            services.append(DivertSyncService(store: store, proxy: proxy, loop: loop, logger: logger))
            if let membership { services.append(NodeHeartbeatService(store: store, membership: membership, listeners: listenerText, logger: logger,
                                                                                       clock: storeClock)) }
        }
        services.append(StatusService(proxy: proxy, loop: loop, path: GatewayStatus.path(forStore: config.store.path), logger: logger))
        let live = self.live
        services.append(MetricsSampleService(stream: activity, writer: cdrWriter, relay: { live.relay() }))
        if let reload {
            services.append(ReloadService(reload: reload, proxy: proxy, fraud: fraud, identity: identityHook, loop: loop, logger: logger,
                                          store: store))
        }
        services.append(SIPService(proxy: proxy, transport: transport, listeners: settings.listeners.map(\.spec), loop: loop, logger: logger,
                                   shutdownGrace: shutdownGrace, probeInterval: config.trunks.filter(\.probe.enabled).map(\.probe.interval).min(),
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

    /// What a restart takes from the store.
    private struct Restored: Sendable {
        var bansRevision: Int64 = -1
        var accountsRevision: Int64 = -1
        var suspensions: [AccountSuspension] = []
        var recentCalls: [CallDetailRecord] = []
        /// The calls each account's normal is learned from (`fraud.anomalies.history_days`).
        var history: [CallDetailRecord] = []
        /// Operators' allowances of destinations first calls were held for.
        var allowances: [(account: String, destination: String)] = []
        /// The inventory so far, so that a restart reports no known device as new.
        var inventory: [InventoryDevice] = []
    }

    /// Bans from before the restart are in force before the first packet is read, and earlier
    /// offences count for escalation; suspended accounts stay suspended, and the last day's calls
    /// count again. The revisions are read first, so a change made meanwhile is picked up by the first sync.
    private func restore(shield: ShieldEngine?, clock: StoreClock) async -> Restored {
        var restored = Restored()
        guard let store else { return restored }
        do {
            try await clock.measure(store)
        } catch {
            logger.warning("cannot read the store's clock; bans are read in this node's time", metadata: ["error": "\(error)"])
        }
        if let shield {
            do {
                restored.bansRevision = try await store.bansRevision()
                let records = try await store.allBans()
                for record in records.sorted(by: { $0.since > $1.since }).prefix(config.shield.maxTrackedSources) {
                    if let source = IPAddress(record.source) { shield.restoreOffences(source, count: record.offences) }
                }
                let now = Date()
                let active = records.map(clock.fromStore).filter { $0.isActive(at: now) }.compactMap(ShieldBan.init)
                shield.restoreBans(active, now: now.timeIntervalSince1970)
                if !active.isEmpty { logger.info("bans restored from the store", metadata: ["count": "\(active.count)"]) }
            } catch {
                logger.error("cannot read bans from the store", metadata: ["error": "\(error)"])
            }
        }
        do {
            restored.accountsRevision = try await store.accountsRevision()
            restored.suspensions = try await store.activeSuspensions()
            restored.recentCalls = try await store.cdrs(CDRQuery(since: Date().addingTimeInterval(-Self.restoredHistory),
                                                                 limit: Self.restoredCallLimit, order: .newestFirst))
            if config.fraud.anomalies.enabled {
                restored.history = try await store.cdrs(CDRQuery(since: Date().addingTimeInterval(-Double(config.fraud.anomalies.historyDays) * 86_400),
                                                                 limit: Self.historyCallLimit, order: .newestFirst))
                logger.info("each account's normal learned from the store's calls", metadata: ["calls": "\(restored.history.count)"])
                restored.allowances = try await store.allowances()
            }
        } catch {
            logger.error("cannot read account suspensions and recent calls from the store", metadata: ["error": "\(error)"])
        }
        do {
            restored.inventory = try await store.inventory()
        } catch {
            logger.error("cannot read the inventory from the store; known devices may be reported as new", metadata: ["error": "\(error)"])
        }
        return restored
    }
}

extension Gateway {
    /// The CDR journal where the store says one may live (beside an SQLite file:
    /// `tollgate.db-cdr-journal.N`), after storing what an earlier run left in it; `nil` (answers
    /// then wait for the store) for a store with no local file or when the journal cannot be opened.
    private func openCallRecordJournal(for store: any Store) async -> CallRecordJournal? {
        guard let base = store.callRecordJournalBase else { return nil }
        await storeJournaledRecords(base: base, in: store)
        do {
            return try CallRecordJournal(base: base)
        } catch {
            logger.error("cannot open the CDR journal; each call's last answer waits for the store", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The file of calls in progress beside the CDR journal (`tollgate.db-cdr-journal-calls`), after
    /// recording the calls an earlier run left in progress as `interrupted`; `nil` when the store has
    /// no local file or the file cannot be opened.
    private func openCallProgressJournal(for store: any Store) async -> CallProgressJournal? {
        guard let base = store.callRecordJournalBase else { return nil }
        let path = base + "-calls"
        guard await storeInterruptedCalls(path: path, in: store) else { return nil }
        do {
            return try CallProgressJournal(path: path)
        } catch {
            logger.error("cannot open the file of calls in progress; a gateway that dies mid-call would leave no record of them",
                         metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Records the calls an earlier run left in progress as `interrupted` (those whose CDR is
    /// stored already are skipped). Returns false when the store refused them: the file then stays
    /// for the next start, and is not started afresh.
    func storeInterruptedCalls(path: String, in store: any Store) async -> Bool {
        let (records, unreadable) = CallProgressJournal.recover(path: path)
        if unreadable > 0 {
            logger.warning("lines of the file of calls in progress that cannot be read were skipped", metadata: ["count": "\(unreadable)"])
        }
        guard !records.isEmpty else { return true }
        do {
            var missing: [CallDetailRecord] = []
            for record in records {
                let stored = try await store.cdrs(CDRQuery(since: record.start.addingTimeInterval(-0.001), until: record.start.addingTimeInterval(0.001),
                                                           callID: record.callID, limit: 10))
                if !stored.contains(where: { $0.direction == record.direction }) { missing.append(record) }
            }
            if !missing.isEmpty { try await store.appendCDRs(missing) }
            logger.warning("calls in progress when the gateway last stopped are recorded as interrupted",
                           metadata: ["count": "\(missing.count)", "call-ids": "\(missing.map(\.callID).joined(separator: " "))"])
            return true
        } catch {
            logger.error("cannot record the calls the last run left in progress; the file stays for the next start", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Stores the records an earlier run journaled but did not store (those already stored are
    /// skipped), then removes its journal segments; they stay when the store refuses the records.
    func storeJournaledRecords(base: String, in store: any Store) async {
        let (records, unreadable, paths) = CallRecordJournal.recover(base: base)
        guard !paths.isEmpty else { return }
        if unreadable > 0 {
            logger.warning("CDR journal lines that cannot be read were skipped (a write cut short)", metadata: ["count": "\(unreadable)"])
        }
        do {
            var missing: [CallDetailRecord] = []
            for record in records {
                let stored = try await store.cdrs(CDRQuery(since: record.start.addingTimeInterval(-0.001), until: record.start.addingTimeInterval(0.001),
                                                           callID: record.callID, limit: 10))
                if !stored.contains(where: { $0.direction == record.direction && $0.end.timeIntervalSince(record.end).magnitude < 0.002 }) {
                    missing.append(record)
                }
            }
            if !missing.isEmpty { try await store.appendCDRs(missing) }
            for path in paths { CallRecordJournal.remove(path) }
            logger.info("CDRs recovered from the journal", metadata: ["stored": "\(missing.count)", "already stored": "\(records.count - missing.count)"])
        } catch {
            logger.error("cannot store the CDRs left in the journal; they stay there for the next start", metadata: ["error": "\(error)"])
        }
    }
}

/// The proxy and its loop, set once ``Gateway/services()`` has built them; read from any task.
private final class LiveProxy: Sendable {
    private let state = NIOLockedValueBox<(SIPProxy, any EventLoop)?>(nil)
    private let media = NIOLockedValueBox<MediaRelay?>(nil)

    func set(_ proxy: SIPProxy, on loop: any EventLoop) { state.withLockedValue { $0 = (proxy, loop) } }
    func setRelay(_ relay: MediaRelay) { media.withLockedValue { $0 = relay } }
    func relay() -> MediaRelay? { media.withLockedValue { $0 } }
    func get() -> (SIPProxy, any EventLoop)? { state.withLockedValue { $0 } }
}



extension Ban {
    /// A Shield ban as the store keeps it.
    init(_ ban: ShieldBan) {
        self.init(source: ban.source.description, since: Date(timeIntervalSince1970: ban.since), until: Date(timeIntervalSince1970: ban.until),
                  rule: ban.rule, reason: ban.reason, offences: ban.offences, origin: ban.rule == "operator" ? .operator_ : .automatic)
    }
}

extension ShieldBan {
    /// A stored ban for Shield; `nil` when its source is not an IP address.
    init?(_ ban: Ban) {
        guard let source = IPAddress(ban.source) else { return nil }
        self.init(source: source, since: ban.since.timeIntervalSince1970, until: ban.until.timeIntervalSince1970,
                  offences: ban.offences, rule: ban.rule, reason: ban.reason)
    }
}
