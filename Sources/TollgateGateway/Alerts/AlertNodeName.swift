import Foundation

/// The name alert sinks report for this gateway: a webhook's `node` field, syslog's HOSTNAME.
public enum AlertNodeName {
    /// This machine's host name, or `tollgate` when it has none.
    public static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else {
            return "tollgate"
        }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "tollgate" : name
    }
}
