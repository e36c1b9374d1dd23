import Foundation

/// Base64url without padding (RFC 4648 §5), as JWS uses it (RFC 7515 §2).
enum Base64URL {
    /// Decodes base64url text; padding is tolerated, anything outside the alphabet is refused.
    static func decode(_ text: Substring) -> [UInt8]? {
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 3)
        for character in text.unicodeScalars {
            switch character {
            case "-": standard.append("+")
            case "_": standard.append("/")
            case "=": continue
            case "A"..."Z", "a"..."z", "0"..."9": standard.unicodeScalars.append(character)
            default: return nil
            }
        }
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map(Array.init)
    }

    /// Encodes bytes as base64url without padding.
    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
