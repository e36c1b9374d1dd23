import HTTPTypes
import Hummingbird

/// The session cookie: `__Host-tollgate` over HTTPS (Secure, host-only, path `/`), `tollgate` on
/// loopback HTTP where a browser would refuse a Secure cookie; HttpOnly and SameSite=Strict always.
/// It has no expiry of its own: the server ends sessions (idle, lifetime, logout).
struct SessionCookie {
    let secure: Bool

    var name: String { secure ? "__Host-tollgate" : "tollgate" }

    func set(_ id: String) -> String {
        "\(name)=\(id); Path=/; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    func clear() -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// The session ID the request carries, if any.
    func value(in request: Request) -> String? {
        request.cookies[name]?.value
    }
}
