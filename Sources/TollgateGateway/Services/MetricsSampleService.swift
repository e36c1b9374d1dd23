import Metrics
import ServiceLifecycle
import TollgateMedia

/// Every few seconds, records as gauges what is cheap to read but would cost the message path to
/// count as it happens: each event-stream subscriber's backlog, the CDR writer's queue, and the media
/// ports anchored calls hold.
struct MetricsSampleService: Service {
    let stream: GatewayActivityStream
    let writer: CallRecordWriter?
    /// The media relay, once the gateway has made one.
    let relay: @Sendable () -> MediaRelay?

    func run() async throws {
        let (stream, writer, relay) = (self.stream, self.writer, self.relay)
        let backlog = Gauge(label: "tollgate_cdr_writer_backlog")
        let portsInUse = Gauge(label: "tollgate_media_ports_in_use")
        let portCapacity = Gauge(label: "tollgate_media_port_capacity")
        await cancelWhenGracefulShutdown {
            var buffered: [String: Gauge] = [:]
            while !Task.isCancelled {
                for (subscriber, count) in stream.depths {
                    let gauge = buffered[subscriber] ?? Gauge(label: "tollgate_stream_buffered", dimensions: [("stream", "gateway"), ("subscriber", subscriber)])
                    buffered[subscriber] = gauge
                    gauge.record(count)
                }
                if let writer { backlog.record(writer.backlog) }
                if let relay = relay() {
                    portsInUse.record(relay.portsInUse)
                    portCapacity.record(relay.portCapacity)
                }
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}
