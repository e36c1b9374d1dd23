import Foundation
import TollgateConfig
import TollgateModel

/// The guides' stateful firewall for the voice network, written from the configuration as an
/// nftables ruleset for the operator to review and load (`nft -f`): SIP in only from the trunks'
/// ranges (and from anywhere only when remote phones are on), the PBX's SIP only from the PBX, the
/// media port range, the console and SSH only from the management addresses, everything else
/// dropped and logged (rate-limited); the PBX may reach the trunks and nothing else beyond the
/// gateway. Pure: the same configuration always gives the same text.
public struct FirewallRuleset: Sendable {
    /// Why no ruleset can be written.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public var text: String

    /// - Parameters:
    ///   - admin: who may reach SSH and the console; empty leaves SSH open to everyone (so loading the
    ///     ruleset never locks the operator out) and the console to loopback only.
    ///   - generated: when, for the header comment.
    public init(config: TollgateConfig, admin: [AddressRange] = [], generated: Date) throws(Problem) {
        guard let pbx = IPAddress(config.pbx.endpoint.host) else {
            throw Problem(description: "pbx.endpoint names a host (\(config.pbx.endpoint.host)); nftables needs its address")
        }
        var lines: [String] = []
        func add(_ line: String = "", indent: Int = 0) { lines.append(String(repeating: "    ", count: indent) + line) }
        let stamp = ISO8601DateFormatter().string(from: generated)
        add("# Tollgate: a stateful firewall for the voice network, written from the configuration on \(stamp).")
        add("# Review it, check it with `nft -c -f FILE`, load it with `nft -f FILE`. It replaces only table inet tollgate.")
        add("table inet tollgate")
        add("delete table inet tollgate")
        add("table inet tollgate {")

        let trunkRanges = config.trunks.flatMap(\.allowedSources)
        let sets: [(String, [AddressRange])] = [
            ("trunks", trunkRanges), ("pbx", [AddressRange(single: pbx)]), ("admin", admin),
        ]
        var defined: Set<String> = []
        for (name, ranges) in sets {
            for family in [4, 6] {
                let members = ranges.filter { family == 4 ? $0.isIPv4 : !$0.isIPv4 }
                guard !members.isEmpty else { continue }
                let setName = "\(name)_v\(family)"
                defined.insert(setName)
                add("set \(setName) {", indent: 1)
                add("type \(family == 4 ? "ipv4_addr" : "ipv6_addr"); flags interval", indent: 2)
                add("elements = { \(members.map(Self.element).joined(separator: ", ")) }", indent: 2)
                add("}", indent: 1)
            }
        }
        /// `ip saddr @set` for each family the set has; nothing when it has none.
        func sourced(_ set: String) -> [String] {
            ["4", "6"].compactMap { family in
                defined.contains("\(set)_v\(family)") ? "\(family == "4" ? "ip" : "ip6") saddr @\(set)_v\(family)" : nil
            }
        }
        func destination(_ host: String) -> String {
            guard let address = IPAddress(host), !address.isUnspecified else { return "" }
            return (address.isIPv4 ? "ip" : "ip6") + " daddr \(address) "
        }
        func ports(_ endpoint: Endpoint) -> String {
            endpoint.transport == .udp ? "udp dport \(endpoint.port)" : "tcp dport \(endpoint.port)"
        }

        add()
        add("chain input {", indent: 1)
        add("type filter hook input priority filter; policy drop;", indent: 2)
        add("ct state established,related accept", indent: 2)
        add("ct state invalid drop", indent: 2)
        add("iif \"lo\" accept", indent: 2)
        add("meta l4proto { icmp, ipv6-icmp } limit rate 20/second accept", indent: 2)
        for listener in config.listeners {
            let target = destination(listener.endpoint.host) + ports(listener.endpoint)
            let name = listener.effectiveName
            switch listener.zone {
            case .external:
                if config.remotePhones {
                    add("# SIP from anywhere to \(name): remote phones are on (Shield judges every request)", indent: 2)
                    add("\(target) accept", indent: 2)
                } else {
                    add("# SIP to \(name) from the trunks and the PBX only", indent: 2)
                    for source in sourced("trunks") + sourced("pbx") { add("\(source) \(target) accept", indent: 2) }
                }
            case .internal:
                add("# SIP to \(name) from the PBX only", indent: 2)
                for source in sourced("pbx") { add("\(source) \(target) accept", indent: 2) }
            case .admin:
                add("# \(name) (management) from the management addresses only", indent: 2)
                for source in sourced("admin") { add("\(source) \(target) accept", indent: 2) }
            }
        }
        if config.media.anchor {
            add("# media: RTP and RTCP on the anchored port range, from trunks, phones and the PBX", indent: 2)
            add("udp dport \(config.media.ports.lowerBound)-\(config.media.ports.upperBound) accept", indent: 2)
        }
        if let console = config.console {
            let target = destination(console.listen.host) + "tcp dport \(console.listen.port)"
            if admin.isEmpty {
                add("# the console from this host only (give --admin CIDR to reach it from the management network)", indent: 2)
                add("iif \"lo\" \(target) accept", indent: 2)
            } else {
                add("# the console from the management addresses only", indent: 2)
                for source in sourced("admin") { add("\(source) \(target) accept", indent: 2) }
            }
        }
        if admin.isEmpty {
            add("# SSH from anywhere, so that loading this ruleset locks nobody out: restrict it with --admin CIDR", indent: 2)
            add("tcp dport 22 accept", indent: 2)
        } else {
            add("# SSH from the management addresses only", indent: 2)
            for source in sourced("admin") { add("\(source) tcp dport 22 accept", indent: 2) }
        }
        add("limit rate 10/second log prefix \"tollgate-drop \" counter drop", indent: 2)
        add("}", indent: 1)

        add()
        add("chain forward {", indent: 1)
        add("type filter hook forward priority filter; policy drop;", indent: 2)
        add("ct state established,related accept", indent: 2)
        add("ct state invalid drop", indent: 2)
        add("# the PBX reaches the trunks (and the gateway), nothing else on the internet", indent: 2)
        for source in sourced("pbx") {
            for trunk in sourced("trunks") where source.hasPrefix(trunk.hasPrefix("ip6") ? "ip6" : "ip ") {
                add("\(source) \(trunk.replacingOccurrences(of: "saddr", with: "daddr")) accept", indent: 2)
            }
            add("\(source) limit rate 10/second log prefix \"tollgate-pbx-egress \" counter drop", indent: 2)
        }
        add("}", indent: 1)
        add("}")
        text = lines.joined(separator: "\n") + "\n"
    }

    static func element(_ range: AddressRange) -> String {
        range.prefixLength == range.network.bitWidth ? range.network.description : range.description
    }
}
