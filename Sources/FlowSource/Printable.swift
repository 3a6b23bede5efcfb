/// Text from files and servers made safe to print: control characters (ESC, NUL, a carriage
/// return…) are shown as `\u{1B}`-style escapes, so a workflow or an answer can never move the
/// terminal's cursor, recolour it or hide a line. Newlines and tabs are kept.
public enum Printable {
    /// `text` with its control characters (all but newline and tab) written as `\u{…}` escapes.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }

    /// The first bytes of a body, as text in quotes, escaped; invalid UTF-8 shows as U+FFFD.
    public static func quoted(_ bytes: [UInt8], limit: Int = 120) -> String {
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
        return "\"" + escaped(text) + "\"" + (bytes.count > limit ? "…" : "")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
