import FlowSource
extension JSON {
    /// Compact JSON text (no spaces), keys in their stored order.
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let bool): out += bool ? "true" : "false"
        case .int(let int): out += String(int)
        case .double(let double):
            // JSON has no NaN or infinity; null is the honest spelling of "no number".
            if !double.isFinite { out += "null" } else if double == double.rounded(), abs(double) < 1e15 {
                out += String(Int(double)) + ".0"
            } else {
                out += "\(double)"
            }
        case .string(let string): JSON.writeString(string, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { out += "," }
                JSON.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ string: String, to out: inout String) {
        JSONStringLiteral.write(string, to: &out)
    }
}
