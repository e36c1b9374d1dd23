import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Writes the gateway's status beside its store every few seconds, off the event loop, for
/// `tollgate route test` and others; removes it as the gateway stops.
struct StatusService: Service {
    let proxy: SIPProxy
    let loop: EventLoop
    let path: String
    let logger: Logger

    func run() async throws {
        let (proxy, loop, path, logger) = (self.proxy, self.loop, self.path, self.logger)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let status = try? await loop.submit({ proxy.status() }).get() {
                    do { try status.write(to: path) } catch { logger.debug("cannot write status: \(error)") }
                }
                try? await Task.sleep(for: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
