extension JSON {
    /// Indented JSON for people: two spaces a level, keys in their stored order.
    public var pretty: String {
        var out = ""
        writePretty(to: &out, level: 0)
        return out
    }

    private func writePretty(to out: inout String, level: Int) {
        let pad = String(repeating: "  ", count: level + 1)
        let closing = String(repeating: "  ", count: level)
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.writePretty(to: &out, level: level + 1)
                out += index < items.count - 1 ? ",\n" : "\n"
            }
            out += closing + "]"
        case .object(let pairs) where !pairs.isEmpty:
            out += "{\n"
            for (index, (key, value)) in pairs.enumerated() {
                out += pad + JSON.string(key).serialized + ": "
                value.writePretty(to: &out, level: level + 1)
                out += index < pairs.count - 1 ? ",\n" : "\n"
            }
            out += closing + "}"
        default:
            out += serialized
        }
    }
}
