import Foundation
import Logging
import Metrics
import NIOCore

/// Verifies calls' caller identity on one event loop, with a certificate cache in front of a
/// ``CertificateSource``.
///
/// ``prepare(_:now:)`` starts what a call needs (a certificate not yet cached) and returns a future
/// that completes when it is there or the call's time budget is spent, whichever comes first; the
/// fetch itself goes on, once per URL however many calls wait on it, and later calls find its result.
/// ``verify(_:now:)`` then judges the call at once from the cache. Certificates are kept until the
/// chain's first `notAfter`, failures for a short while; pre-provisioned ones are never fetched.
/// Confined to its event loop, like a channel handler.
public final class CallerIdentityVerifier {
    private enum Entry {
        case ready(IdentityCertificate)
        case failed(IdentityFailure, until: Date)
        case pending(EventLoopFuture<Void>)
        /// Pre-provisioned: never fetched, even once expired.
        case provisioned(IdentityCertificate)
    }

    public let eventLoop: any EventLoop
    public var passports: PassportVerifier
    private let source: any CertificateSource
    /// How long a call may wait for its certificate.
    public var budget: TimeAmount
    /// How long a failed fetch is remembered before the URL is tried again.
    public var failureLifetime: TimeInterval
    /// The most certificates kept (the oldest-expiring go first).
    public var capacity: Int
    private var cache: [CertificateURL: Entry] = [:]
    private let logger: Logger
    private let fetches: Counter
    private let fetchFailures: Counter

    public init(passports: PassportVerifier, source: any CertificateSource, eventLoop: any EventLoop, budget: TimeAmount = .milliseconds(500),
                failureLifetime: TimeInterval = 30, capacity: Int = 1000, logger: Logger = Logger(label: "tollgate.identity")) {
        self.passports = passports
        self.source = source
        self.eventLoop = eventLoop
        self.budget = budget
        self.failureLifetime = failureLifetime
        self.capacity = capacity
        self.logger = logger
        self.fetches = Counter(label: "tollgate_identity_certificate_fetches_total")
        self.fetchFailures = Counter(label: "tollgate_identity_certificate_fetch_failures_total")
    }

    /// How many certificates (and remembered failures) the cache holds.
    public var cachedCount: Int { cache.count }

    /// Adds a certificate for `url` that is never fetched (sites without internet access).
    public func provision(_ certificate: IdentityCertificate, for url: CertificateURL) {
        eventLoop.preconditionInEventLoop()
        cache[url] = .provisioned(certificate)
    }

    /// Starts fetching what `call` needs; nil when everything is at hand (the call can be judged now).
    public func prepare(_ call: IdentityCall, now: Date) -> EventLoopFuture<Void>? {
        eventLoop.preconditionInEventLoop()
        guard !call.identityHeaders.isEmpty else { return nil }
        var waits: [EventLoopFuture<Void>] = []
        for url in passports.certificateURLs(for: call) {
            switch cache[url] {
            case .ready(let certificate) where certificate.validUntil > now: continue
            case .provisioned: continue
            case .failed(_, let until) where until > now: continue
            case .pending(let future): waits.append(future)
            default: waits.append(fetch(url, now: now))
            }
        }
        guard !waits.isEmpty else { return nil }
        let ready = eventLoop.makePromise(of: Void.self)
        let budgetSpent = eventLoop.scheduleTask(in: budget) { ready.succeed() }
        EventLoopFuture.andAllComplete(waits, on: eventLoop).whenComplete { _ in
            budgetSpent.cancel()
            ready.succeed()
        }
        return ready.futureResult
    }

    /// The verdict on `call` from what is cached now; a certificate still on its way is a timeout.
    public func verify(_ call: IdentityCall, now: Date) -> IdentityVerdict {
        eventLoop.preconditionInEventLoop()
        return passports.verify(call, at: now) { url in lookup(url, now: now) }
    }

    private func lookup(_ url: CertificateURL, now: Date) -> CertificateLookup {
        switch cache[url] {
        case .ready(let certificate):
            return certificate.validUntil > now ? .ready(certificate) : .pending
        case .provisioned(let certificate):
            return certificate.validUntil > now ? .ready(certificate) : .failed(.certificateExpired)
        case .failed(let failure, _):
            return .failed(failure)
        case .pending, nil:
            return .pending
        }
    }

    private func fetch(_ url: CertificateURL, now: Date) -> EventLoopFuture<Void> {
        fetches.increment()
        makeRoom()
        // Pending first: a source that answers at once completes the entry before this returns.
        let done = eventLoop.makePromise(of: Void.self)
        cache[url] = .pending(done.futureResult)
        source.certificate(for: url, at: now, on: eventLoop).hop(to: eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result.flatMap({ $0.mapError { $0 as any Error } }) {
            case .success(let certificate):
                cache[url] = .ready(certificate)
            case .failure(let error):
                let failure = error as? IdentityFailure ?? .certificateUnavailable
                fetchFailures.increment()
                logger.notice("identity certificate refused", metadata: ["x5u": "\(url)", "reason": "\(failure)"])
                cache[url] = .failed(failure, until: Date().addingTimeInterval(failureLifetime))
            }
            done.succeed()
        }
        return done.futureResult
    }

    /// Drops expired entries, then the earliest-expiring ones, until a new one fits.
    private func makeRoom() {
        guard cache.count >= capacity else { return }
        let now = Date()
        cache = cache.filter { _, entry in
            switch entry {
            case .ready(let certificate): certificate.validUntil > now
            case .failed(_, let until): until > now
            case .pending, .provisioned: true
            }
        }
        while cache.count >= capacity {
            let oldest = cache.min { lhs, rhs in expiry(lhs.value) < expiry(rhs.value) }
            guard let oldest else { break }
            cache[oldest.key] = nil
        }
    }

    private func expiry(_ entry: Entry) -> Date {
        switch entry {
        case .ready(let certificate): certificate.validUntil
        case .failed(_, let until): until
        case .pending, .provisioned: .distantFuture
        }
    }
}
