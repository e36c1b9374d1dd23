import NIOHTTP1
import Testing

@testable import TollgateGateway

@Suite("Webhook alert URLs and settings")
struct WebhookAlertURLTests {
    @Test(
        "bad URLs are refused with the reason",
        arguments: [
            ("example.com/hook", WebhookURLError.missingScheme),
            ("://example.com/hook", .missingScheme),
            ("ftp://example.com/hook", .unsupportedScheme("ftp")),
            ("udp://example.com:514", .unsupportedScheme("udp")),
            ("http:///hook", .missingHost),
            ("https://:8443/hook", .missingHost),
            ("http://example.com:0/", .invalidPort("0")),
            ("http://example.com:65536/", .invalidPort("65536")),
            ("http://example.com:80x/", .invalidPort("80x")),
            ("http://example.com:/", .invalidPort("")),
            ("https://user:secret@example.com/", .credentialsInURL),
            ("http://exa mple.com/", .malformed("contains a space")),
            ("http://example.com/\r\nX-Injected: 1", .malformed("contains a control character")),
            ("http://[::1/hook", .malformed("IPv6 address without a closing ]")),
            ("http://exa%6Dple.com/", .malformed("invalid host name")),
        ]
    )
    func badURLs(text: String, expected: WebhookURLError) {
        #expect(throws: expected) { try WebhookURL(parsing: text) }
    }

    @Test("a URL gives host, port, Host header and request target; the fragment is left out")
    func goodURLs() throws {
        let plain = try WebhookURL(parsing: "HTTP://Alerts.example.com")
        #expect(plain.scheme == "http")
        #expect(plain.host == "Alerts.example.com")
        #expect(plain.port == 80)
        #expect(plain.requestTarget == "/")
        #expect(plain.hostHeader == "Alerts.example.com")
        #expect(!plain.usesTLS)
        #expect(!plain.hostIsIPAddress)

        let tls = try WebhookURL(parsing: "https://[::1]:8443/hooks/a?token=s3cret#part")
        #expect(tls.host == "::1")
        #expect(tls.port == 8443)
        #expect(tls.requestTarget == "/hooks/a?token=s3cret")
        #expect(tls.hostHeader == "[::1]:8443")
        #expect(tls.usesTLS)
        #expect(tls.hostIsIPAddress)
        #expect(tls.description == "https://[::1]:8443", "the loggable form leaves out path and query")

        let query = try WebhookURL(parsing: "http://127.0.0.1:8080?x=1")
        #expect(query.requestTarget == "/?x=1")
        #expect(query.hostHeader == "127.0.0.1:8080")
        #expect(query.hostIsIPAddress)
        #expect(try WebhookURL(parsing: "https://example.com:443/").hostHeader == "example.com")
    }

    @Test("error messages say what is wrong without repeating the URL")
    func errorMessages() {
        #expect(WebhookURLError.missingScheme.description.contains("http:// or https://"))
        #expect(WebhookURLError.unsupportedScheme("ftp").description.contains("'ftp'"))
        #expect(WebhookAlertSinkError.invalidURL(.missingHost).description == "webhook URL has no host")
    }

    @Test("the sink refuses a bad URL, a header with CR or LF, a header it sets itself and zero limits")
    func sinkSettings() {
        #expect(throws: WebhookAlertSinkError.invalidURL(.missingScheme)) {
            try WebhookAlertSink(url: "alerts.example.com/hook")
        }
        #expect(throws: WebhookAlertSinkError.invalidURL(.unsupportedScheme("gopher"))) {
            try WebhookAlertSink(url: "gopher://alerts.example.com/")
        }
        #expect(throws: WebhookAlertSinkError.invalidHeader(name: "Authorization")) {
            try WebhookAlertSink(url: "http://127.0.0.1:9/", headers: ["Authorization": "Bearer x\r\nX-Evil: 1"])
        }
        #expect(throws: WebhookAlertSinkError.invalidHeader(name: "Bad Name")) {
            try WebhookAlertSink(url: "http://127.0.0.1:9/", headers: ["Bad Name": "v"])
        }
        #expect(throws: WebhookAlertSinkError.reservedHeader(name: "content-length")) {
            try WebhookAlertSink(url: "http://127.0.0.1:9/", headers: ["content-length": "5"])
        }
        #expect(throws: WebhookAlertSinkError.invalidQueueCapacity(0)) {
            try WebhookAlertSink(url: "http://127.0.0.1:9/", queueCapacity: 0)
        }
        #expect(throws: WebhookAlertSinkError.invalidMaximumAttempts(0)) {
            try WebhookAlertSink(url: "http://127.0.0.1:9/", maximumAttempts: 0)
        }
    }

    @Test("2xx delivers; 429 and 5xx are retried; other statuses are refused")
    func retryVerdicts() {
        let policy = WebhookRetryPolicy(maximumAttempts: 5, baseDelay: .milliseconds(500), maximumDelay: .seconds(4))
        #expect(policy.verdict(for: .ok) == .delivered)
        #expect(policy.verdict(for: .noContent) == .delivered)
        #expect(policy.verdict(for: .accepted) == .delivered)
        #expect(policy.verdict(for: .tooManyRequests) == .retry)
        #expect(policy.verdict(for: .serviceUnavailable) == .retry)
        #expect(policy.verdict(for: .internalServerError) == .retry)
        #expect(policy.verdict(for: .badRequest) == .refused)
        #expect(policy.verdict(for: .unauthorized) == .refused)
        #expect(policy.verdict(for: .notFound) == .refused)
        #expect(policy.verdict(for: .movedPermanently) == .refused)
    }

    @Test("backoff doubles from the base delay and stops at the cap")
    func backoff() {
        let policy = WebhookRetryPolicy(maximumAttempts: 8, baseDelay: .milliseconds(500), maximumDelay: .seconds(4))
        let delays = (1...6).map { policy.delay(afterAttempt: $0) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        #expect(policy.delay(afterAttempt: 10_000) == .seconds(4))
    }
}
