import Hummingbird
import NIOCore
import TollgateModel

/// The request context of every console route: where the request comes from and, once the
/// caller middleware has run, who makes it.
public struct ConsoleContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address; `nil` only when the channel has none (never on a TCP socket).
    public var remoteAddress: IPAddress?
    /// The signed-in (or half signed-in) caller, if any.
    public var caller: ConsoleCaller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress.flatMap { $0.ipAddress }.flatMap { IPAddress($0) }
    }

    /// Forms and API bodies are small; nothing the console accepts comes near this.
    public var maxUploadSize: Int { 256 * 1024 }

    /// The source as the audit log and throttling name it.
    public var sourceText: String { remoteAddress?.description ?? "unknown" }
}

extension ConsoleContext {
    /// A path parameter, percent-decoded (`/bans/2001%3Adb8%3A%3A1` → `2001:db8::1`).
    func parameter(_ name: String) -> String {
        guard let raw = parameters.get(name) else { return "" }
        return raw.removingPercentEncoding ?? raw
    }
}
