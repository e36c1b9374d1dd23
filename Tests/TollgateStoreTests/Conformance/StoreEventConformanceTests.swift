import Foundation
import Testing
import TollgateStore
import TollgateModel

@Suite("Store conformance: events")
struct StoreEventConformanceTests {
    /// A fixed time with an exact binary fraction, so stored seconds compare equal.
    static let base = Date(timeIntervalSince1970: 1_750_000_000.5)

    static func event(_ offset: TimeInterval, _ kind: String, _ source: String, rule: String = "rule", detail: String = "detail",
                      severity: SecurityEvent.Severity = .notice) -> SecurityEvent {
        SecurityEvent(time: base.addingTimeInterval(offset), kind: kind, source: source, rule: rule, detail: detail, severity: severity)
    }

    static let sample: [SecurityEvent] = [
        event(0, "scanner", "192.0.2.1", rule: "scanner-fingerprint", detail: "User-Agent friendly-scanner", severity: .warning),
        event(10, "rate-limit", "192.0.2.1"),
        event(20, "scanner", "198.51.100.7", severity: .info),
        event(30, "ban", "192.0.2.1", rule: "auth-failures", detail: "5 failed registrations", severity: .critical),
        event(40, "malformed", "2001:db8::1"),
    ]

    @Test("appended events come back with every field, newest first, each with an id", arguments: StoreBackend.all)
    func roundTrip(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append(Self.sample)
        let events = try await store.events(EventQuery())
        #expect(events.count == Self.sample.count)
        #expect(events.allSatisfy { $0.id != nil })
        let withoutIDs = events.map { event in
            var event = event
            event.id = nil
            return event
        }
        #expect(withoutIDs == Self.sample.reversed())
        #expect(events[1].severity == .critical)
        #expect(events[4].detail == "User-Agent friendly-scanner")
    }

    @Test("since, kind and source each filter, and combine with AND", arguments: StoreBackend.all)
    func filters(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append(Self.sample)

        let recent = try await store.events(EventQuery(since: Self.base.addingTimeInterval(20)))
        #expect(recent.map(\.kind) == ["malformed", "ban", "scanner"], "since is inclusive")

        let scanners = try await store.events(EventQuery(kind: "scanner"))
        #expect(scanners.map(\.source) == ["198.51.100.7", "192.0.2.1"])

        let fromOne = try await store.events(EventQuery(source: "192.0.2.1"))
        #expect(fromOne.map(\.kind) == ["ban", "rate-limit", "scanner"])

        let combined = try await store.events(EventQuery(since: Self.base.addingTimeInterval(5), kind: "scanner", source: "192.0.2.1"))
        #expect(combined.isEmpty)
        let kindAndSource = try await store.events(EventQuery(kind: "scanner", source: "192.0.2.1"))
        #expect(kindAndSource.map(\.time) == [Self.base])
        let nothing = try await store.events(EventQuery(kind: "no-such-kind"))
        #expect(nothing.isEmpty)
    }

    @Test("events at the same time list the later-appended first, and one batch keeps its order", arguments: StoreBackend.all)
    func order(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let batch = (0..<50).map { Self.event(0, "burst", "192.0.2.\($0)") }
        try await store.append(batch)
        try await store.append([Self.event(-1, "older", "192.0.2.200")])
        let events = try await store.events(EventQuery())
        #expect(events.map(\.source) == batch.reversed().map(\.source) + ["192.0.2.200"])
        let ids = events.compactMap(\.id)
        #expect(Array(ids.prefix(50)) == Array(ids.prefix(50)).sorted(by: >))
    }

    @Test("limit caps the events returned, keeping the newest", arguments: StoreBackend.all)
    func limit(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append(Self.sample)
        let two = try await store.events(EventQuery(limit: 2))
        #expect(two.map(\.kind) == ["malformed", "ban"])
        let filtered = try await store.events(EventQuery(source: "192.0.2.1", limit: 1))
        #expect(filtered.map(\.kind) == ["ban"])
        let none = try await store.events(EventQuery(limit: 0))
        #expect(none.isEmpty)
    }

    @Test("pages follow the cursor of the last row: none skipped or repeated, also among events at the same time", arguments: StoreBackend.all)
    func cursorPages(backend: StoreBackend) async throws {
        let store = try await backend.make()
        // Ten events, three of them at one time.
        let events = (0..<10).map { Self.event(Double([0, 1, 2, 3, 3, 3, 4, 5, 6, 7][$0]), "scanner", "192.0.2.\($0)") }
        try await store.append(events)
        var seen: [String] = []
        var cursor: PageCursor?
        while true {
            let page = try await store.events(EventQuery(before: cursor, limit: 3))
            guard let last = page.last, let id = last.id else { break }
            seen += page.map(\.source)
            cursor = PageCursor(time: last.time, id: id)
            #expect(PageCursor(cursor!.description) == cursor)
        }
        #expect(seen == (0..<10).reversed().map { "192.0.2.\($0)" })
        #expect(PageCursor("not-a-cursor") == nil && PageCursor("12.5-") == nil)
    }

    @Test("a text search finds events whose detail contains the text, or whose source or rule is it", arguments: StoreBackend.all)
    func textSearch(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append(Self.sample)
        var query = EventQuery()
        query.text = "friendly-scanner"
        #expect(try await store.events(query).map(\.rule) == ["scanner-fingerprint"])
        query.text = "198.51.100.7"
        #expect(try await store.events(query).map(\.kind) == ["scanner"])
        query.text = "auth-failures"
        #expect(try await store.events(query).map(\.kind) == ["ban"])
        query.text = "50%_"
        #expect(try await store.events(query).isEmpty)
        // The count takes the same filters and ignores the limit.
        #expect(try await store.eventCount(EventQuery(limit: 1)) == Self.sample.count)
        #expect(try await store.eventCount(EventQuery(kind: "scanner")) == 2)
        #expect(try await store.eventCount(EventQuery(since: Self.base.addingTimeInterval(25))) == 2)
    }

    @Test("an event appended again with its key is stored once: in a later batch, in the same batch, or among new ones", arguments: StoreBackend.all)
    func appendIsIdempotent(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append(Self.sample)
        // A writer that lost the answer to its commit writes the batch again, with one new event.
        let fresh = Self.event(50, "rate-limit", "192.0.2.9")
        try await store.append(Self.sample + [fresh, Self.sample[0]])
        let events = try await store.events(EventQuery())
        #expect(events.count == Self.sample.count + 1)
        #expect(Set(events.map(\.key)) == Set((Self.sample + [fresh]).map(\.key)))
        #expect(events.first?.key == fresh.key)
        // The same text under another key is another event.
        var twin = fresh
        twin.key = UUID()
        try await store.append([twin])
        #expect(try await store.eventCount(EventQuery(kind: "rate-limit")) == 3)
    }

    @Test("appending nothing is allowed and stores nothing", arguments: StoreBackend.all)
    func appendNothing(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append([])
        #expect(try await store.events(EventQuery()).isEmpty)
    }

    @Test("pruneEvents deletes only events before the date and says how many", arguments: StoreBackend.all)
    func prune(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append(Self.sample)
        let pruned = try await store.pruneEvents(olderThan: Self.base.addingTimeInterval(20))
        #expect(pruned == 2)
        let left = try await store.events(EventQuery())
        #expect(left.map(\.kind) == ["malformed", "ban", "scanner"])
        #expect(try await store.pruneEvents(olderThan: Self.base) == 0)
    }

    @Test("text is stored as given: quotes, SQL and non-ASCII survive", arguments: StoreBackend.all)
    func awkwardText(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let detail = "User-Agent: 'sipvicious'; DROP TABLE events; -- ☎ \"\n\t"
        try await store.append([Self.event(0, "scanner", "192.0.2.1", detail: detail)])
        let events = try await store.events(EventQuery(kind: "scanner"))
        #expect(events.first?.detail == detail)
    }

    @Test("a NUL in event text is kept visible as ␀ rather than cutting the text short", arguments: StoreBackend.all)
    func nulInText(backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.append([Self.event(0, "malformed", "192.0.2.1", rule: "bad\u{0}rule", detail: "User-Agent: x\u{0}hidden")])
        let event = try #require(try await store.events(EventQuery()).first)
        #expect(event.detail == "User-Agent: x\u{2400}hidden")
        #expect(event.rule == "bad\u{2400}rule")
        try await store.saveBan(Ban(source: "192.0.2.1", since: Self.base, until: Self.base.addingTimeInterval(60), rule: "r",
                                    reason: "a\u{0}b"))
        #expect(try await store.ban(source: "192.0.2.1")?.reason == "a\u{2400}b")
    }
}
