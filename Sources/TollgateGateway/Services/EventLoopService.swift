import NIOCore
import NIOPosix
import ServiceLifecycle

/// Owns the gateway's event loop: the first service of the group, so the last to stop; the loop
/// is shut down once every other service has finished with it.
final class EventLoopService: Service {
    let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await group.shutdownGracefully()
    }
}
