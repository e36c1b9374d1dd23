import ServiceLifecycle

/// A subscriber of the event stream as a service: it reads until the stream finishes (the SIP
/// service finishes it as it stops), then waits for its own turn to stop, so the group sees it end
/// in order; `finish` runs last (an alert sink's shutdown, say).
struct ActivitySubscriberService: Service {
    let name: String
    let read: @Sendable () async -> Void
    var finish: @Sendable () async -> Void = {}

    func run() async throws {
        await read()
        await finish()
        try? await gracefulShutdown()
    }
}
