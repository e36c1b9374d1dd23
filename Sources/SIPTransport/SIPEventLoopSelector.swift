#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds the epoll instance an event loop waits on, so that a busy poll can watch everything the
/// loop watches (its sockets, its timer, the wake-ups of tasks sent from other threads) and not
/// only the UDP sockets.
///
/// NIO does not publish the descriptor. Linux lists, for each epoll descriptor of the process,
/// the descriptors registered with it (`/proc/self/fdinfo/N`, lines `tfd: FD events: …`; see
/// Documentation/filesystems/proc.rst): the loop's instance is the one that holds a socket known to
/// be registered on that loop.
enum SIPEventLoopSelector {
    /// The epoll descriptor that has `registered` among its targets, or `nil` when none does or
    /// procfs cannot be read (then only the sockets themselves can be watched).
    static func descriptor(watching registered: CInt) -> CInt? {
        #if os(Linux)
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let descriptor = CInt(name), isEpoll(descriptor) else { continue }
            if targets(of: descriptor).contains(registered) { return descriptor }
        }
        return nil
        #else
        return nil
        #endif
    }

    #if os(Linux)
    private static func isEpoll(_ descriptor: CInt) -> Bool {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard length > 0 else { return false }
        let target = buffer[..<length].map { UInt8(bitPattern: $0) }
        return target.elementsEqual("anon_inode:[eventpoll]".utf8)
    }

    /// The `tfd` entries of an epoll descriptor's fdinfo.
    static func targets(of descriptor: CInt) -> [CInt] {
        let file = open("/proc/self/fdinfo/\(descriptor)", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return [] }
        defer { close(file) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(file, &chunk, chunk.count)
            if count <= 0 { break }
            text += chunk[..<count]
        }
        return parseTargets(text)
    }
    #endif

    /// The descriptors named by `tfd:` lines of an epoll fdinfo text.
    static func parseTargets(_ text: [UInt8]) -> [CInt] {
        text.split(separator: UInt8(ascii: "\n")).compactMap { line -> CInt? in
            let fields = line.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard fields.count >= 2, fields[0].elementsEqual("tfd:".utf8) else { return nil }
            return CInt(String(decoding: fields[1], as: UTF8.self))
        }
    }
}
