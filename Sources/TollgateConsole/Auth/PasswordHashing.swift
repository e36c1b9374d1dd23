import HummingbirdBcrypt
import NIOPosix

/// bcrypt, off the event loop: each hash and check runs on NIO's blocking thread pool, so a
/// sign-in (a quarter of a second of CPU at cost 12) never stalls other requests.
public struct PasswordHashing: Sendable {
    /// bcrypt's work factor; 12 in production, lower in tests.
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
