import TollgateConfig
import TollgateModel

/// The call flow drawn from the configuration as inline SVG: trunks (and remote phones) on the
/// internet → Tollgate's listeners → the PBX → its extensions, with zones and transports.
enum CallFlowDiagram {
    static func svg(config: TollgateConfig, extensionCount: Int) -> String {
        let trunks = config.trunks.map { "\($0.name) (\($0.endpoint.transport.rawValue) \($0.endpoint.host):\($0.endpoint.port))" }
            + (config.remotePhones ? ["remote phones (any address)"] : [])
        let listeners = config.listeners.map { "\($0.zone.rawValue): \($0.endpoint.transport.rawValue) \($0.endpoint.host):\($0.endpoint.port)" }
        let rows = max(trunks.count, listeners.count, 1)
        let height = 60 + rows * 34 + 40
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 960 \(height)\" width=\"100%\" role=\"img\" aria-label=\"Call flow\">"
        out += "<style>text{font:13px sans-serif;fill:#222}.zone{font-weight:bold;fill:#555}</style>"
        // Zones.
        out += "<rect x=\"10\" y=\"10\" width=\"300\" height=\"\(height - 20)\" fill=\"#fdecea\" stroke=\"#d9534f\"/>"
        out += "<text class=\"zone\" x=\"20\" y=\"32\">internet (external zone)</text>"
        out += "<rect x=\"330\" y=\"10\" width=\"300\" height=\"\(height - 20)\" fill=\"#eef5fb\" stroke=\"#337ab7\"/>"
        out += "<text class=\"zone\" x=\"340\" y=\"32\">Tollgate</text>"
        out += "<rect x=\"650\" y=\"10\" width=\"300\" height=\"\(height - 20)\" fill=\"#edf7ed\" stroke=\"#5cb85c\"/>"
        out += "<text class=\"zone\" x=\"660\" y=\"32\">LAN (internal zone)</text>"
        for (index, trunk) in trunks.enumerated() {
            let y = 50 + index * 34
            out += "<rect x=\"20\" y=\"\(y)\" width=\"280\" height=\"26\" rx=\"4\" fill=\"#fff\" stroke=\"#999\"/>"
            out += "<text x=\"28\" y=\"\(y + 18)\">\(HTMLText.escape(String(trunk.prefix(40))))</text>"
            out += "<line x1=\"300\" y1=\"\(y + 13)\" x2=\"340\" y2=\"\(50 + 13)\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>"
        }
        for (index, listener) in listeners.enumerated() {
            let y = 50 + index * 34
            out += "<rect x=\"340\" y=\"\(y)\" width=\"280\" height=\"26\" rx=\"4\" fill=\"#fff\" stroke=\"#337ab7\"/>"
            out += "<text x=\"348\" y=\"\(y + 18)\">\(HTMLText.escape(String(listener.prefix(40))))</text>"
        }
        let pbx = "PBX \(config.pbx.name): \(config.pbx.endpoint.transport.rawValue) \(config.pbx.endpoint.host):\(config.pbx.endpoint.port)"
        out += "<rect x=\"660\" y=\"50\" width=\"280\" height=\"26\" rx=\"4\" fill=\"#fff\" stroke=\"#5cb85c\"/>"
        out += "<text x=\"668\" y=\"68\">\(HTMLText.escape(String(pbx.prefix(40))))</text>"
        out += "<line x1=\"620\" y1=\"63\" x2=\"660\" y2=\"63\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>"
        out += "<rect x=\"660\" y=\"92\" width=\"280\" height=\"26\" rx=\"4\" fill=\"#fff\" stroke=\"#5cb85c\"/>"
        out += "<text x=\"668\" y=\"110\">extensions (\(extensionCount) in the inventory)</text>"
        out += "<line x1=\"800\" y1=\"76\" x2=\"800\" y2=\"92\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>"
        let media = config.media.anchor ? "media anchored: SRTP \(config.media.outside.srtp.rawValue) outside, \(config.media.inside.srtp.rawValue) inside"
            : "media not anchored"
        out += "<text x=\"340\" y=\"\(height - 22)\">\(HTMLText.escape(media))</text>"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\">"
        out += "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666\"/></marker></defs></svg>"
        return out
    }
}
