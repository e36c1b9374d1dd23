import ServiceLifecycle
import TollgateMedia

/// Owns the media loops: they stop, closing every port still open, once the services that anchor
/// calls have finished.
final class MediaLoopService: Service {
    let loops: MediaLoopGroup

    init(loops: MediaLoopGroup) {
        self.loops = loops
    }

    func run() async throws {
        try? await gracefulShutdown()
        await loops.shutdown()
    }
}
