import Foundation
import Hummingbird
import TollgateModel

/// The one-time enrolment link from `tollgate user add`: the user sets a password and, for admin
/// and operator, enrols TOTP by scanning a QR code and typing the first code, which proves the
/// app has the secret before it is kept.
extension RouteTable {
    mutating func addEnrolment() {
        let console = self.console

        page(.get, "/enrol/:token", .anyone) { input, context in
            let token = context.parameter("token")
            let user = try await console.enrolling(token: token)
            return console.enrolmentPage(user: user, token: token, secret: TOTPCheck.newSecret(), message: nil, status: .ok)
        }

        page(.post, "/enrol/:token", .anyone) { input, context in
            let token = context.parameter("token")
            var user = try await console.enrolling(token: token)
            let password = input.form["password"] ?? ""
            let secret = input.form["secret"] ?? ""
            func again(_ message: String) -> Response {
                console.enrolmentPage(user: user, token: token, secret: TOTPCheck.isValidSecret(secret) ? secret : TOTPCheck.newSecret(),
                                      message: message, status: .badRequest)
            }
            guard password == input.form["again"] else { return again("The two passwords differ.") }
            do {
                try console.passwordPolicy.check(password, user: user.name)
            } catch {
                return again("That password cannot be used: \(error).")
            }
            if user.role.needsSecondFactor {
                guard TOTPCheck.isValidSecret(secret) else { return again("The enrolment form was changed; start again.") }
                guard let step = TOTPCheck(secret: secret).accept(input.form["code"] ?? "", at: console.now(), lastAccepted: nil) else {
                    return again("That code is wrong: check the app's clock, and type the code it shows now.")
                }
                user.totpSecret = secret
                user.totpLastStep = step
            }
            user.passwordHash = try await console.hashing.hash(password)
            user.enrolmentTokenHash = nil
            user.enrolmentExpires = nil
            do {
                try await console.store.saveUser(user)
                try await console.store.removeSessions(user: user.name)
            } catch {
                throw ConsoleError.storeUnavailable
            }
            await console.audit(user.name, from: context.sourceText, "user.enrolled", target: user.name,
                                after: user.role.needsSecondFactor ? "password and TOTP set" : "password set")
            return console.pages.respond("login", PageModel(title: "Sign in", notice: "Enrolment complete: sign in with your new password."))
        }
    }
}

extension Console {
    /// The user whose pending enrolment `token` opens; a 404 for an unknown, used or expired link.
    func enrolling(token: String) async throws(ConsoleError) -> ConsoleUser {
        let hash = SecretToken.hash(token)
        let users: [ConsoleUser]
        do { users = try await store.users() } catch { throw .storeUnavailable }
        guard token.count <= 64,
              let user = users.first(where: { $0.enrolmentTokenHash.map { SecretToken.equal($0, hash) } ?? false }),
              let expires = user.enrolmentExpires, expires > now() else {
            throw ConsoleError(.notFound, "this enrolment link is unknown, used or expired; ask an admin for a new one (tollgate user reset)")
        }
        return user
    }

    func enrolmentPage(user: ConsoleUser, token: String, secret: String, message: String?, status: HTTPResponse.Status) -> Response {
        let totp = TOTPCheck(secret: secret)
        let uri = totp.authenticatorURI(user: user.name)
        let qr = (try? QRCode(uri).svg()) ?? ""
        let content: [String: Any] = ["name": user.name, "role": user.role.rawValue, "needsTOTP": user.role.needsSecondFactor, "token": token,
                                      "secret": secret, "manual": totp.manualEntry, "uri": uri, "qr": qr]
        return pages.respond("enrol", PageModel(title: "Enrol", message: message, content: content), status: status)
    }
}
