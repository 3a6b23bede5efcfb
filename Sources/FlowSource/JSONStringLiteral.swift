/// A string as a JSON string literal (RFC 8259 escapes). Here because both the JSON model
/// (FlowCore) and template values rendered as JSON text (FlowTemplate) write them, and this is
/// the one module both depend on.
public enum JSONStringLiteral {
    /// Appends `string` to `out` as a quoted JSON string. The text between the characters that
    /// need escaping (quote, backslash, controls: all ASCII, so never inside a multi-byte
    /// character) is appended a run at a time, not scalar by scalar: transcripts, cassettes and
    /// reports are mostly such runs.
    public static func write(_ string: String, to out: inout String) {
        out += "\""
        let bytes = string.utf8
        var run = bytes.startIndex
        var index = run
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: string[run..<index])
                out += escape(byte)
                index = bytes.index(after: index)
                run = index
            } else {
                index = bytes.index(after: index)
            }
        }
        out.append(contentsOf: string[run..<index])
        out += "\""
    }

    /// The escape for one of the bytes JSON strings cannot hold as they are.
    private static func escape(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "\n"): return "\\n"
        case UInt8(ascii: "\r"): return "\\r"
        case UInt8(ascii: "\t"): return "\\t"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        default:
            let hex = String(byte, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }

    /// `string` as a quoted JSON string.
    public static func quoted(_ string: String) -> String {
        var out = ""
        write(string, to: &out)
        return out
    }
}
