import Foundation
import Logging
import NIOConcurrencyHelpers
import TollgateGateway
import TollgateStore
import TollgateModel

/// 2023-11-14T22:13:20.250Z, exact in binary floating point.
let alertTestTime = Date(timeIntervalSince1970: 1_700_000_000.25)

func alertTestEvent(
    _ kind: String = "ban",
    source: String = "203.0.113.9",
    rule: String = "auth-failures",
    detail: String = "10 failed registrations in 60 s",
    severity: SecurityEvent.Severity = .warning
) -> SecurityEvent {
    SecurityEvent(time: alertTestTime, kind: kind, source: source, rule: rule, detail: detail, severity: severity)
}

/// A sink that keeps what it is handed, for fan-out tests.
final class RecordingAlertSink: AlertSink {
    private let state = NIOLockedValueBox<(events: [SecurityEvent], shutDown: Bool)>(([], false))

    var events: [SecurityEvent] { self.state.withLockedValue { $0.events } }
    var isShutDown: Bool { self.state.withLockedValue { $0.shutDown } }

    func deliver(_ event: SecurityEvent) {
        self.state.withLockedValue { $0.events.append(event) }
    }

    func shutdown() async {
        self.state.withLockedValue { $0.shutDown = true }
    }
}

/// A log handler that keeps every rendered line, message and metadata together.
struct CapturingLogHandler: LogHandler {
    let lines: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        self.lines.withLockedValue { $0.append("\(event.level) \(event.message) \(rendered)") }
    }

    /// A logger writing to `lines`.
    static func logger(_ lines: NIOLockedValueBox<[String]>) -> Logger {
        Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
    }
}
