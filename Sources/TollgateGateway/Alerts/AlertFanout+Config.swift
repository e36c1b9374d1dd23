import Logging
import TollgateConfig
import TollgateStore
import TollgateModel

extension AlertFanout {
    /// The sinks the `alerts:` section names (none when it names none).
    ///
    /// - Throws: the sink's own error for a URL or setting the configuration check let through.
    public static func make(from config: AlertsConfig, logger: Logger) throws -> AlertFanout {
        var routes: [Route] = []
        let node = config.node ?? AlertNodeName.current()
        if let webhook = config.webhook {
            let timeout = Duration.milliseconds(Int64(webhook.timeout * 1000))
            let sink = try WebhookAlertSink(url: webhook.url, headers: webhook.headers, nodeName: node, maximumAttempts: webhook.attempts,
                                            connectTimeout: timeout, responseTimeout: timeout, logger: logger)
            routes.append(Route(sink, minimumSeverity: SecurityEvent.Severity(rawValue: webhook.minSeverity) ?? .warning))
        }
        if let syslog = config.syslog {
            let sink = try SyslogAlertSink(host: syslog.host, port: syslog.port, facility: SyslogFacility(name: syslog.facility) ?? .local0,
                                           nodeName: node, logger: logger)
            routes.append(Route(sink, minimumSeverity: SecurityEvent.Severity(rawValue: syslog.minSeverity) ?? .notice))
        }
        return AlertFanout(routes)
    }
}
