import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SIPCore
import SIPTransport
import TollgateConfig
import TollgateFraud
import TollgateShield
import TollgateStore
import UnixSignals
import TollgateModel

/// The running gateway: binds the listeners, runs the proxy (with Shield) on one event loop,
/// probes trunks, registers with the trunks that need it, records events and bans in the store,
/// reloads Shield's rules and the fraud policy on SIGHUP, and shuts down gracefully (unregister, stop accepting, let
/// transactions finish for a moment, close).
/// Run it under swift-service-lifecycle's `ServiceGroup`.
public final class Gateway: Service {
    public let config: TollgateConfig
    private let logger: Logger
    private let policies: PolicyChain
    private let shutdownGrace: TimeAmount
    private let store: (any Store)?
    private let shieldRules: ShieldRules?
    private let alerts: (any AlertSink)?
    private let reload: (@Sendable () throws -> GatewayRules)?

    /// - Parameters:
    ///   - config: The validated configuration.
    ///   - logger: Where the gateway logs.
    ///   - policies: Policies run after Shield (Fraud plugs in here).
    ///   - shutdownGrace: How long transactions in flight get at shutdown, and unregistrations from trunks.
    ///   - store: Where events and bans are kept; bans in it are in force from the start.
    ///   - shieldRules: Shield's rules; `nil` runs without Shield.
    ///   - alerts: Receives every event, off the message path; shut down with the gateway.
    ///   - reload: Builds new Shield rules and fraud policy on SIGHUP; a throw keeps the old ones.
    public init(config: TollgateConfig, logger: Logger, policies: PolicyChain = PolicyChain(), shutdownGrace: TimeAmount = .seconds(2),
                store: (any Store)? = nil, shieldRules: ShieldRules? = nil, alerts: (any AlertSink)? = nil,
                reload: (@Sendable () throws -> GatewayRules)? = nil) {
        self.config = config
        self.logger = logger
        self.policies = policies
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

    public func run() async throws {
        let settings = try ProxySettings.resolve(config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let logger = self.logger
        let box = ProxyBox()
        let transport = SIPTransportLayer(eventLoop: loop, logger: logger, maximumMessageSize: config.limits.maxMessageSize,
                                          maximumConnectionsPerSource: config.limits.maxConnectionsPerSource,
                                          busyPollWindow: .microseconds(Int64(config.performance.busyPollMicroseconds)),
                                          admits: { address in !(box.proxy?.refusesConnection(from: address) ?? false) }) { packet in
            box.proxy?.receive(packet)
        }
        // Client certificates and private trust roots for TLS trunks.
        for trunk in config.trunks where trunk.tlsCertificate != nil || trunk.tlsCA != nil {
            guard let peer = settings.trunks.first(where: { $0.name == trunk.name })?.peer else { continue }
            try transport.setClientTLS(SIPClientTLSIdentity(certificatePath: trunk.tlsCertificate, keyPath: trunk.tlsKey,
                                                            trustRootsPath: trunk.tlsCA), for: peer.address)
        }
        let proxy = SIPProxy(settings: settings, eventLoop: loop, outbound: transport, logger: logger, policies: policies)
        let fraud = try FraudControl(config: config.fraud,
                                     classifier: NumberClassifier(config: config.fraud.numbering, prefixes: HighRiskPrefixes.shipped()))
        let cdrWriter: CallRecordWriter?
        if let store {
            cdrWriter = CallRecordWriter(store: store, journal: await openCallRecordJournal(for: store), logger: logger)
        } else {
            cdrWriter = nil
        }
        let cdrWriting = Task { await cdrWriter?.run() }
        // Commits append to the WAL only; it is copied into the database file beside them, so no
        // answer waiting for its CDR also waits for a checkpoint.
        let checkpointing = checkpointsBeside(store)
        let shield = shieldRules.map { ShieldEngine(rules: $0, now: Date().timeIntervalSince1970) }
        let recorder = SecurityEventRecorder(store: store, logger: logger, deliver: { [alerts] event in alerts?.deliver(event) },
                                             banStored: { ban in
                                                 // From now on the store decides about this ban (an operator may lift it).
                                                 guard let shield, let stored = ShieldBan(ban) else { return }
                                                 loop.execute { shield.banSaved(stored.source, since: stored.since) }
                                             })
        let recording = Task { await recorder.run() }
        proxy.onEvent = { event in
            logger.notice("\(event.kind.rawValue)", metadata: ["source": "\(event.source)", "rule": "\(event.rule)", "detail": "\(event.detail)"])
            recorder.record(SecurityEvent(kind: event.kind.rawValue, source: event.source, rule: event.rule, detail: event.detail,
                                          severity: SecurityEvent.Severity(rawValue: event.severity.rawValue) ?? .notice))
        }
        proxy.onBan = { ban in recorder.save(Ban(ban)) }
        // The revision is read before the bans, so a change made in between is picked up by the first sync.
        var revision: Int64 = -1
        if let shield, let store {
            // Bans from before the restart are in force before the first packet is read, and
            // earlier offences count for escalation.
            do {
                revision = try await store.bansRevision()
                let records = try await store.allBans()
                for record in records.sorted(by: { $0.since > $1.since }).prefix(config.shield.maxTrackedSources) {
                    if let source = IPAddress(record.source) { shield.restoreOffences(source, count: record.offences) }
                }
                let now = Date()
                let active = records.filter { $0.isActive(at: now) }.compactMap(ShieldBan.init)
                shield.restoreBans(active, now: now.timeIntervalSince1970)
                if !active.isEmpty { logger.info("bans restored from the store", metadata: ["count": "\(active.count)"]) }
            } catch {
                logger.error("cannot read bans from the store", metadata: ["error": "\(error)"])
            }
        }
        // Suspended accounts stay suspended across restarts, and the last day's calls count again.
        var accountsRevision: Int64 = -1
        var suspensions: [AccountSuspension] = []
        var recentCalls: [CallDetailRecord] = []
        if let store {
            do {
                accountsRevision = try await store.accountsRevision()
                suspensions = try await store.activeSuspensions()
                recentCalls = try await store.cdrs(CDRQuery(since: Date().addingTimeInterval(-Self.restoredHistory), limit: Self.restoredCallLimit,
                                                            order: .newestFirst))
            } catch {
                logger.error("cannot read account suspensions and recent calls from the store", metadata: ["error": "\(error)"])
            }
        }
        let started = Date()
        try await loop.submit { [suspensions, store, recentCalls] in
            fraud.restore(recentCalls)
            fraud.sync(suspensions: suspensions, resets: [:], resetsAfter: started)
            proxy.fraud = fraud
            if let cdrWriter { proxy.onCallEnded = { record in cdrWriter.durable(record, on: loop) } }
            proxy.onSuspension = { [store] suspension in
                guard let store else { return }
                Task {
                    do { try await store.saveSuspension(suspension) } catch {
                        logger.error("cannot store a suspension", metadata: ["account": "\(suspension.account)", "error": "\(error)"])
                    }
                    loop.execute { fraud.suspensionStored(suspension.account) }
                }
            }
            proxy.shield = shield
            box.proxy = proxy
        }.get()

        do {
            try await transport.start(settings.listeners.map(\.spec))
        } catch {
            cdrWriter?.finish()
            await cdrWriting.value
            recorder.finish()
            await recording.value
            checkpointing.cancel()
            await checkpointing.value
            await alerts?.shutdown()
            try? await loop.submit { proxy.stop() }.get()
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info("gateway started", metadata: ["pbx": "\(settings.pbx)", "trunks": "\(settings.trunks.map(\.name))"])
        try await loop.submit { proxy.startRegistrations() }.get()

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

        // Bans set or lifted by another process (`tollgate ban`, another node) come in within a second.
        let banSync = Task { [store, logger, revision] in
            guard let shield, let store else { return }
            var revision = revision
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                do {
                    let now = try await store.bansRevision()
                    guard now != revision else { continue }
                    revision = now
                    let bans = try await store.activeBans(at: Date()).compactMap(ShieldBan.init)
                    loop.execute { shield.restoreBans(bans, now: Date().timeIntervalSince1970) }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot read bans from the store", metadata: ["error": "\(error)"])
                }
            }
        }

        // Operators resume, suspend and reset accounts from another process; counters go to the
        // store every few seconds for `tollgate account show`.
        let accountSync = Task { [store, logger, accountsRevision] in
            guard let store else { return }
            var revision = accountsRevision
            var resetsApplied = started
            var tick = 0
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                tick += 1
                do {
                    let now = try await store.accountsRevision()
                    if now != revision {
                        revision = now
                        let suspensions = try await store.activeSuspensions()
                        let resets = try await store.counterResets()
                        let after = resetsApplied
                        resetsApplied = max(resetsApplied, resets.values.max() ?? resetsApplied)
                        loop.execute { fraud.sync(suspensions: suspensions, resets: resets, resetsAfter: after) }
                    }
                    if tick % 5 == 0 {
                        let snapshots = try await loop.submit { fraud.takeChangedSnapshots(at: Date()) }.get()
                        if !snapshots.isEmpty { try await store.saveAccountSnapshots(snapshots) }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot sync accounts with the store", metadata: ["error": "\(error)"])
                }
            }
        }

        // SIGHUP reloads Shield's rules, lists and profiles and the fraud policy; a bad file is
        // refused and the old rules stay.
        let reloader = Task { [reload] in
            guard let reload else { return }
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do {
                    let rules = try reload()
                    try await loop.submit {
                        try fraud.replace(config: rules.fraud, classifier: rules.classifier)
                        if let shield, let shieldRules = rules.shield { shield.replaceRules(shieldRules) }
                        proxy.emit(.reload, address: "", rule: "sighup", detail: "Shield rules, lists and profiles and the fraud policy reloaded",
                                   severity: .info)
                    }.get()
                    logger.notice("shield rules and fraud policy reloaded")
                } catch {
                    let reason = "\(error)"
                    loop.execute {
                        proxy.emit(.reload, address: "", rule: "sighup", detail: "reload refused, the old rules stay: \(reason)", severity: .warning)
                    }
                    logger.error("reload refused; the old rules stay", metadata: ["error": "\(reason)"])
                }
            }
        }

        // Run until SIGTERM/SIGINT (graceful shutdown) or cancellation.
        try? await gracefulShutdown()
        reporter.cancel()
        banSync.cancel()
        accountSync.cancel()
        reloader.cancel()
        await banSync.value
        await accountSync.value
        await reloader.value
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
        let pending = try? await loop.submit { proxy.snapshot.serverTransactions }.get()
        if let pending, pending > 0 {
            try? await Task.sleep(for: .nanoseconds(shutdownGrace.nanoseconds))
        }
        await transport.stop()
        // Calls still up are cut by the shutdown: they end here, with their CDRs.
        try? await loop.submit { proxy.endCallsInProgress() }.get()
        if let snapshots = try? await loop.submit({ fraud.takeChangedSnapshots(at: Date()) }).get(), !snapshots.isEmpty {
            try? await store?.saveAccountSnapshots(snapshots)
        }
        cdrWriter?.finish()
        await cdrWriting.value
        recorder.finish()
        await recording.value
        checkpointing.cancel()
        await checkpointing.value
        await alerts?.shutdown()
        try? FileManager.default.removeItem(atPath: statusPath)
        try await group.shutdownGracefully()
        logger.info("gateway stopped")
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

    /// Runs the store's own upkeep (SQLite: WAL checkpoints beside the writes) until cancelled.
    private func checkpointsBeside(_ store: (any Store)?) -> Task<Void, Never> {
        Task { await store?.maintain() }
    }
}

/// Lets the transport's delivery closure reach the proxy created after it; touched only on the loop.
private final class ProxyBox: @unchecked Sendable {
    var proxy: SIPProxy?
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
