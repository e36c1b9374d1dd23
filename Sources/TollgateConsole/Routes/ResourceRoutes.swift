import Foundation
import Hummingbird
import NIOCore
import Prometheus

/// What is not a page or the API: the style sheet and script, and `/metrics` for Prometheus
/// (no sign-in; only sources in `console.metrics_allow`, loopback when unset).
extension RouteTable {
    mutating func addResources() {
        let console = self.console

        add(.get, "/static/:name", .anyone, .resource) { _, context in
            guard let name = context.parameters.get("name"), let asset = PageRenderer.asset(name) else { throw ConsoleError.notFound }
            return Response(status: .ok, headers: [.contentType: asset.type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: asset.bytes))
        }

        add(.get, "/metrics", .anyone, .resource) { _, _ in
            guard let registry = console.metrics else { throw ConsoleError(.notFound, "metrics are not collected by this process") }
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// Every page and API route.
    mutating func addPages() {
        addStatus()
        addDivert()
        addEvents()
        addBans()
        addAccounts()
        addAlarms()
        addCalls()
        addRouting()
        addAuditLog()
        addSessions()
        addUsers()
        addConfigEditing()
    }

    /// The API's own document.
    mutating func addAPI() {
        add(.get, "/api/v1/openapi.json", .anyone, .resource) { _, _ in
            guard let asset = PageRenderer.asset("openapi.json") else { throw ConsoleError.notFound }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: asset.bytes))
        }
    }
}
