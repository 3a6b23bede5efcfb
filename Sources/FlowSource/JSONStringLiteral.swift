/// A string as a JSON string literal (RFC 8259 escapes). Here because both the JSON model
/// (FlowCore) and template values rendered as JSON text (FlowTemplate) write them, and this is
/// the one module both depend on.
public enum JSONStringLiteral {
    /// Appends `string` to `out` as a quoted JSON string.
    public static func write(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `string` as a quoted JSON string.
    public static func quoted(_ string: String) -> String {
        var out = ""
        write(string, to: &out)
        return out
    }
}
