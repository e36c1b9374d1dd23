/// Text made safe for HTML and SVG content and attribute values. Whatever came from SIP (a
/// User-Agent, a display name, a number) or a device can hold markup, so every report and page
/// passes it through here.
public enum HTMLText {
    /// Escapes `& < > " '`, and replaces control characters (which XML forbids) with U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || (0x7F...0x9F).contains(scalar.value) {
                    out += "&#xFFFD;"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
