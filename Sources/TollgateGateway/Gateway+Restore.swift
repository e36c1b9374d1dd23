import Foundation
import TollgateModel
import TollgateShield
import TollgateStore

extension Gateway {
    /// What a restart takes from the store.
    struct Restored: Sendable {
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
    func restore(shield: ShieldEngine?, clock: StoreClock) async -> Restored {
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

    /// The CDR journal where the store says one may live (beside an SQLite file:
    /// `tollgate.db-cdr-journal.N`), after storing what an earlier run left in it; `nil` (answers
    /// then wait for the store) for a store with no local file or when the journal cannot be opened.
    func openCallRecordJournal(for store: any Store) async -> CallRecordJournal? {
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
    func openCallProgressJournal(for store: any Store) async -> CallProgressJournal? {
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
