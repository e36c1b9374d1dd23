import Foundation
import TollgateModel
import TollgateShield
import TollgateStore

extension Ban {
    /// A Shield ban as the store keeps it.
    init(_ ban: ShieldBan) {
        self.init(source: ban.source.description, since: Date(timeIntervalSince1970: ban.since), until: Date(timeIntervalSince1970: ban.until),
                  rule: ban.rule, reason: ban.reason, offences: ban.offences, origin: ban.rule == "operator" ? .operator_ : .automatic)
    }
}

extension ShieldBan {
    /// A stored ban for Shield; `nil` when its source is not an IP address.
    init?(_ ban: Ban) {
        guard let source = IPAddress(ban.source) else { return nil }
        self.init(source: source, since: ban.since.timeIntervalSince1970, until: ban.until.timeIntervalSince1970,
                  offences: ban.offences, rule: ban.rule, reason: ban.reason)
    }
}
