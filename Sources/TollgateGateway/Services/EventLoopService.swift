import NIOCore
import NIOPosix
import ServiceLifecycle
import TollgateMedia

/// Owns threads the other services run on: the gateway's event loop (the first service of the
/// group, so the last to stop) or the media loops. They are shut down once every service started
/// after them has finished with them.
final class EventLoopService: Service {
    private let shutdown: @Sendable () async throws -> Void

    /// Owns the gateway's event loop.
    init(group: MultiThreadedEventLoopGroup) {
        shutdown = { try await group.shutdownGracefully() }
    }

    /// Owns the media loops (their ports still open are closed when they stop).
    init(media loops: MediaLoopGroup) {
        shutdown = { await loops.shutdown() }
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }
}
