import NIOCore
import SIPCore
import SIPTransport

/// Phones on the internet registered through the gateway, by Contact rewriting (works with any
/// PBX) or, with `remote_phones_path`, by RFC 3327 Path (the PBX keeps the phone's own Contact).
///
/// A REGISTER from outside reaches the PBX with each Contact pointing at Tollgate and carrying a
/// `tgr` token; the token remembers the phone's real Contact and the transport address the REGISTER
/// came from (its NAT mapping, and its TCP/TLS connection). When the PBX calls that Contact, the
/// gateway sends the request to the phone at that address with its own Contact as Request-URI; the
/// 200 to the REGISTER goes back to the phone with its own Contact in it. Confined to the event loop.
final class RemotePhoneBindings {
    struct Binding {
        var token: String
        /// The Contact URI as the phone wrote it.
        var contact: String
        /// Where the phone's REGISTER came from.
        var peer: SIPPeer
        var expires: NIODeadline
    }

    static let parameter = "tgr"
    private var byToken: [String: Binding] = [:]
    private var tokenByKey: [String: String] = [:]
    private var counter: UInt64 = 0
    private let salt = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    var count: Int { byToken.count }

    /// The token for a phone's Contact from a source, made on first use.
    func token(contact: String, peer: SIPPeer, expires: NIODeadline) -> String {
        let key = "\(peer)|\(contact)"
        if let token = tokenByKey[key] {
            if let current = byToken[token]?.expires, current < expires { byToken[token]?.expires = expires }
            return token
        }
        counter += 1
        let token = String(counter, radix: 36) + salt
        tokenByKey[key] = token
        byToken[token] = Binding(token: token, contact: contact, peer: peer, expires: expires)
        return token
    }

    func binding(_ token: String) -> Binding? { byToken[token] }

    /// Updates a binding's lifetime from the registrar's answer (0 removes it).
    func confirm(_ token: String, expires: NIODeadline?) {
        guard let expires else { return }
        byToken[token]?.expires = expires
    }

    func remove(_ token: String) {
        guard let binding = byToken.removeValue(forKey: token) else { return }
        tokenByKey["\(binding.peer)|\(binding.contact)"] = nil
    }

    func expire(now: NIODeadline) {
        for (token, binding) in byToken where binding.expires < now { remove(token) }
    }
}

extension SIPProxy {
    /// Rewrites the Contacts of a REGISTER from a remote phone to point at Tollgate's inside.
    func rewriteRegisterContacts(_ request: inout SIPMessage, from source: SIPPeer, towards listener: SIPListenerSpec?) {
        guard let contacts = try? request.contacts(), !contacts.isEmpty, !contacts.contains(.wildcard) else { return }
        let defaultExpires = ((try? request.expires()) ?? nil) ?? 3600
        var rewritten: [String] = []
        for contact in contacts {
            guard let address = contact.address else { continue }
            let seconds = contact.expires ?? defaultExpires
            let token = bindings.token(contact: address.uri.description, peer: source,
                                       expires: .now() + .seconds(Int64(seconds) + 60))
            var uri = SIPURI(host: listener?.advertisedHost ?? "127.0.0.1", port: UInt16(clamping: listener?.port ?? 5060))
            if let advertised = listener?.advertisedHost, advertised.contains(":") { uri.host = "[\(advertised)]" }
            uri.user = address.uri.user
            uri.parameters.append(RemotePhoneBindings.parameter, token)
            if let transport = listener?.transport, transport != .udp { uri.parameters.append("transport", transport.rawValue) }
            var masked = address
            masked.uri = uri
            rewritten.append(masked.description)
        }
        request.removeHeaders(.contact)
        for value in rewritten { request.appendHeader(.contact, value) }
    }

    /// In a 2xx to a REGISTER going back to a phone: each binding Tollgate made is shown as the
    /// phone's own Contact again; bindings of other devices are not shown outside.
    func restoreRegisterContacts(_ response: inout SIPMessage) {
        guard let contacts = try? response.contacts() else { return }
        var restored: [String] = []
        for contact in contacts {
            guard var address = contact.address, let token = address.uri.parameters.unquotedValue(RemotePhoneBindings.parameter),
                let binding = bindings.binding(token), let original = try? SIPURI(parsing: binding.contact)
            else { continue }
            let seconds = address.parameters.unquotedValue("expires").flatMap { Int64($0) }
            if let seconds {
                if seconds == 0 { bindings.remove(token) } else { bindings.confirm(token, expires: .now() + .seconds(seconds + 60)) }
            }
            address.uri = original
            restored.append(address.description)
        }
        response.removeHeaders(.contact)
        for value in restored { response.appendHeader(.contact, value) }
    }

    /// In a 2xx to a REGISTER sent with Path: only the phone's own Contacts are shown, not other devices'.
    func keepOwnContacts(_ response: inout SIPMessage, registered request: SIPMessage) {
        guard let contacts = try? response.contacts() else { return }
        let own = Set(((try? request.contacts()) ?? []).compactMap { $0.address?.uri.description })
        let kept = contacts.compactMap { contact -> String? in
            guard let address = contact.address, own.contains(address.uri.description) else { return nil }
            return address.description
        }
        response.removeHeaders(.contact)
        for value in kept { response.appendHeader(.contact, value) }
    }

    /// RFC 3327: a REGISTER from a remote phone gets a Path value pointing at Tollgate's inside with
    /// a `tgr` token for the address it came from; its Contact stays as the phone wrote it. The PBX
    /// then sends requests for the phone with that Path as their first Route.
    func addPath(_ request: inout SIPMessage, from source: SIPPeer, towards listener: SIPListenerSpec?) {
        let seconds = ((try? request.expires()) ?? nil) ?? (try? request.contacts().compactMap(\.expires).max()) ?? 3600
        let token = bindings.token(contact: "", peer: source, expires: .now() + .seconds(Int64(seconds) + 60))
        var uri = SIPURI(host: listener?.advertisedHost ?? "127.0.0.1", port: UInt16(clamping: listener?.port ?? 5060))
        if let advertised = listener?.advertisedHost, advertised.contains(":") { uri.host = "[\(advertised)]" }
        uri.user = token
        uri.parameters.append("lr", nil)
        uri.parameters.append(RemotePhoneBindings.parameter, token)
        if let transport = listener?.transport, transport != .udp { uri.parameters.append("transport", transport.rawValue) }
        request.insertHeader(.path, "<\(uri)>", at: request.values(of: .via).count)
        let supported = (try? request.supported()) ?? []
        if !supported.contains(where: { $0.lowercased() == "path" }) {
            if supported.isEmpty { request.insertHeader(.supported, "path", at: request.headerCount - 1) } else {
                request.setHeader(.supported, (supported + ["path"]).joined(separator: ", "))
            }
        }
    }

    /// The registered phone a request from the PBX is for: its Request-URI is one of Tollgate's
    /// binding URIs (Contact rewriting), or its first Route is Tollgate's Path for the phone.
    func remotePhoneTarget(for request: SIPMessage) -> ForwardTarget? {
        if let uri = try? SIPURI(parsing: request.requestURIText ?? ""),
            let token = uri.parameters.unquotedValue(RemotePhoneBindings.parameter), let binding = bindings.binding(token)
        {
            return ForwardTarget(peer: binding.peer, zone: .external, trunk: nil, requestURI: binding.contact)
        }
        if let route = request.values(of: .route).first, isOwnRoute(route), let address = try? SIPNameAddress(parsing: route),
            let token = address.uri.parameters.unquotedValue(RemotePhoneBindings.parameter), let binding = bindings.binding(token)
        {
            return ForwardTarget(peer: binding.peer, zone: .external, trunk: nil, requestURI: nil)
        }
        return nil
    }
}
