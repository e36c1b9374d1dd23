import Foundation
import NIOCore
import NIOPosix
import ServiceLifecycle
import SIPTransport
import TollgateAudit
import TollgateFraud
import TollgateMedia
import TollgateModel
import TollgateShield
import TollgateStore

/// What the gateway is made of once built and before it runs: the SIP loop and its transports,
/// the proxy and its engines, the journals and what a restart took from the store.
struct GatewayParts: Sendable {
    var loop: any EventLoop
    var transport: SIPTransportLayer
    var receiver: SIPReceiver
    var activity: GatewayActivityStream
    var proxy: SIPProxy
    var fraud: FraudControl
    var shield: ShieldEngine?
    var cdrWriter: CallRecordWriter?
    var progress: CallProgressJournal?
    var identity: IdentitySetup?
    var media: MediaSettings?
    /// The loops media runs on, one per core, so that a call's packets never wait for signalling.
    var mediaGroup: MediaLoopGroup?
    var fingerprints: DeviceFingerprints
    var storeClock: StoreClock
    var restored: Gateway.Restored
}

extension Gateway {
    /// Builds the parts on `group` (its first loop is the SIP loop; with `readerThread`, its second
    /// reads the UDP sockets), restoring what the store kept. The caller shuts `group` down on a throw.
    func build(on group: MultiThreadedEventLoopGroup, readerThread: Bool, settings: ProxySettings,
               media: MediaSettings?) async throws -> GatewayParts {
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
        // Client certificates and private trust roots for TLS trunks.
        for trunk in config.trunks where trunk.tlsCertificate != nil || trunk.tlsCA != nil {
            guard let peer = settings.trunks.first(where: { $0.name == trunk.name })?.peer else { continue }
            try transport.setClientTLS(SIPClientTLSIdentity(certificatePath: trunk.tlsCertificate, keyPath: trunk.tlsKey,
                                                            trustRootsPath: trunk.tlsCA), for: peer.address)
        }
        let activity = GatewayActivityStream()
        let proxy = SIPProxy(settings: settings, eventLoop: loop, outbound: transport, logger: logger, activity: activity)
        let fraud = try FraudControl(config: config.fraud,
                                     classifier: NumberClassifier(config: config.fraud.numbering, prefixes: HighRiskPrefixes.shipped()))
        var cdrWriter: CallRecordWriter?
        var progress: CallProgressJournal?
        if let store {
            cdrWriter = CallRecordWriter(store: store, journal: await openCallRecordJournal(for: store), logger: logger)
            progress = await openCallProgressJournal(for: store)
        }
        let shield = shieldRules.map { ShieldEngine(rules: $0, now: Date().timeIntervalSince1970) }
        let identity = try await IdentitySetup.resolve(config.identity, trunks: config.trunks, logger: logger)
        let storeClock = StoreClock()
        let restored = await restore(shield: shield, clock: storeClock)
        let fingerprints = try DeviceFingerprints.shipped()
        let mediaGroup = try media.map { _ in try MediaLoopGroup(numberOfThreads: System.coreCount, logger: logger) }
        return GatewayParts(loop: loop, transport: transport, receiver: receiver, activity: activity, proxy: proxy, fraud: fraud, shield: shield,
                            cdrWriter: cdrWriter, progress: progress, identity: identity, media: media, mediaGroup: mediaGroup,
                            fingerprints: fingerprints, storeClock: storeClock, restored: restored)
    }

    /// The event stream's subscribers: the store writer, the alert sinks and the log.
    func subscriberServices(_ parts: GatewayParts) -> [any Service] {
        var services: [any Service] = []
        let logger = self.logger
        if let store {
            let (loop, shield, fraud) = (parts.loop, parts.shield, parts.fraud)
            let writer = StoreWriter(
                store: store, subscription: parts.activity.subscribe("store", bufferSize: 100_000, where: StoreWriter.wants), logger: logger,
                banStored: { ban in
                    // From now on the store decides about this ban (an operator may lift it).
                    guard let shield, let stored = ShieldBan(ban) else { return }
                    loop.execute { shield.banSaved(stored.source, since: stored.since) }
                },
                suspensionStored: { suspension in loop.execute { fraud.suspensionStored(suspension.account) } }, clock: parts.storeClock,
                journal: store.callRecordJournalBase.map { $0 + "-events" })
            services.append(ActivitySubscriberService(name: "store", read: { await writer.run() }))
        }
        if let alerts {
            let subscription = parts.activity.subscribe("alerts", bufferSize: 100_000, where: \.isEvent)
            services.append(ActivitySubscriberService(name: "alerts", read: {
                for await item in subscription { if case .event(let event) = item { alerts.deliver(SecurityEvent(event)) } }
            }, finish: { await alerts.shutdown() }))
        }
        let logged = parts.activity.subscribe("log", bufferSize: 10_000, where: \.isEvent)
        services.append(ActivitySubscriberService(name: "log", read: {
            for await item in logged {
                guard case .event(let event) = item else { continue }
                logger.notice("\(event.kind.rawValue)", metadata: ["source": "\(event.source)", "rule": "\(event.rule)", "detail": "\(event.detail)"])
            }
        }))
        return services
    }

    /// On the SIP loop: gives fraud control what the store kept, puts the call hooks and the
    /// inventory on the proxy in the order they run, and starts taking packets. Returns the caller
    /// identity hook, which a reload changes.
    func attach(_ parts: GatewayParts, membership: ClusterMembership?, started: Date) -> IdentityCallHook {
        let (proxy, fraud, loop) = (parts.proxy, parts.fraud, parts.loop)
        fraud.learn(history: parts.restored.history)
        fraud.setAllowances(parts.restored.allowances)
        fraud.restore(parts.restored.recentCalls)
        fraud.sync(suspensions: parts.restored.suspensions, resets: [:], resetsAfter: started)
        if let media = parts.media, let mediaGroup = parts.mediaGroup {
            let relay = makeRelay(media, on: mediaGroup, for: proxy, loop: loop)
            live.setRelay(relay)
            proxy.addFirstCallHook(MediaCallHook(relay: relay, inside: media.inside, outside: media.outside,
                                                 trunkOutside: media.trunkOutside, events: proxy.events))
        }
        // Caller identity before fraud: its refusals come first, and fraud sees the verdict in the record.
        // Always there, so that a reload can turn it on; with no rules it passes every call untouched.
        let identityHook = IdentityCallHook(rules: parts.identity?.makeRules(on: loop, logger: logger), events: proxy.events)
        proxy.addCallHook(identityHook)
        // Before the fraud policy: a call the shared count refuses is not counted by this node either.
        if let membership, let store, sharesLimits {
            proxy.addCallHook(SharedLimitsCallHook(store: store, control: fraud, membership: membership, events: proxy.events, loop: loop,
                                                   logger: logger))
        }
        proxy.addCallHook(FraudCallHook(control: fraud, events: proxy.events))
        if let cdrWriter = parts.cdrWriter { proxy.addCallHook(CallRecordingHook(events: proxy.events, writer: cdrWriter, on: loop)) }
        if let progress = parts.progress { proxy.addCallHook(CallProgressHook(journal: progress, events: proxy.events, eventLoop: loop)) }
        // The passive inventory: every device whose REGISTER or call succeeds through the gateway.
        proxy.addExchangeObserver(InventoryObserver(inventory: PassiveInventory(fingerprints: parts.fingerprints, devices: parts.restored.inventory),
                                                    events: proxy.events))
        proxy.shield = parts.shield
        parts.receiver.start(proxy, transport: parts.transport,
                             intake: SIPDatagramIntake(preparer: proxy.preparer, refusals: parts.shield?.refusals,
                                                       refusedCounter: proxy.metrics.refusedPackets, keepAliveCounter: proxy.metrics.keepAlives))
        live.set(proxy, on: loop)
        return identityHook
    }

    /// Whether the nodes count calls against the limits together. It costs a statement a call, so it
    /// is on by default only where several nodes can share the store (a PostgreSQL URL).
    private var sharesLimits: Bool { config.cluster.sharedLimits ?? (config.store.url != nil) }

    /// The media relay, whose events reach the proxy on its loop: abuse counts towards a Shield
    /// ban, the rest are events, and a call whose media died both ways is hung up when so configured.
    private func makeRelay(_ media: MediaSettings, on group: MediaLoopGroup, for proxy: SIPProxy, loop: any EventLoop) -> MediaRelay {
        let events = proxy.events
        return MediaRelay(configuration: media.relay, loops: group, logger: logger) { event in
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
    }

    /// What keeps this node and the store in step: bans, account state, divert, and the node's heartbeat.
    func syncServices(_ parts: GatewayParts, membership: ClusterMembership?, started: Date) -> [any Service] {
        guard let store else { return [] }
        var services: [any Service] = []
        if let shield = parts.shield {
            services.append(BanSyncService(store: store, shield: shield, loop: parts.loop, logger: logger, revision: parts.restored.bansRevision,
                                           clock: parts.storeClock))
        }
        services.append(AccountSyncService(store: store, fraud: parts.fraud, loop: parts.loop, logger: logger,
                                           revision: parts.restored.accountsRevision, started: started))
        services.append(DivertSyncService(store: store, proxy: parts.proxy, loop: parts.loop, logger: logger))
        if let membership {
            let listeners = config.listeners.map(\.endpoint.description).joined(separator: " ")
            services.append(NodeHeartbeatService(store: store, membership: membership, listeners: listeners, logger: logger, clock: parts.storeClock))
        }
        return services
    }
}
