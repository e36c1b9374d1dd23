import NIOHTTP1

/// When a webhook delivery is retried and how long to wait before each retry.
///
/// A 2xx response is success. 5xx, 429, timeouts and connection errors are worth another attempt;
/// any other status (4xx, or a stray 3xx) means the receiver refuses the request as it is, and
/// repeating it would not help. Delays double from ``baseDelay`` and stop growing at ``maximumDelay``.
struct WebhookRetryPolicy: Sendable, Hashable {
    /// What to do after a response.
    enum Verdict: Sendable, Hashable {
        case delivered
        case retry
        case refused
    }

    /// Attempts per event, the first included.
    var maximumAttempts: Int
    var baseDelay: Duration
    var maximumDelay: Duration

    func verdict(for status: HTTPResponseStatus) -> Verdict {
        switch status.code {
        case 200..<300:
            .delivered
        case 429, 500..<600:
            .retry
        default:
            .refused
        }
    }

    /// The wait after failed attempt number `attempt` (1 for the first): `baseDelay * 2^(attempt-1)`,
    /// at most `maximumDelay`.
    func delay(afterAttempt attempt: Int) -> Duration {
        var delay = self.baseDelay
        var doublings = max(0, attempt - 1)
        while doublings > 0 && delay < self.maximumDelay {
            delay *= 2
            doublings -= 1
        }
        return min(delay, self.maximumDelay)
    }
}
