/// Data a template renders: what YAML vars, saved step outputs and parsed JSON become.
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case map([String: TemplateValue])

    /// The text a variable tag interpolates.
    public var interpolated: String {
        switch self {
        case .null: return ""
        case .bool(let bool): return bool ? "true" : "false"
        case .int(let int): return String(int)
        case .double(let double):
            // Whole numbers print without a fraction, as YAML and JSON users wrote them.
            if double == double.rounded(), abs(double) < 1e15 { return String(Int(double)) }
            return String(double)
        case .string(let string): return string
        case .list(let items): return items.map(\.interpolated).joined(separator: ", ")
        case .map: return ""
        }
    }

    /// Whether a section renders: false, null, an empty list and an empty string do not.
    /// (The spec leaves empty strings open; prompts treat "" as "nothing to say".)
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let bool): return bool
        case .string(let string): return !string.isEmpty
        case .list(let items): return !items.isEmpty
        default: return true
        }
    }

    /// Looks up a dotted name (`step.field`) below this value.
    public func lookup(_ path: [Substring]) -> TemplateValue? {
        var current = self
        for part in path {
            guard case .map(let map) = current, let next = map[String(part)] else { return nil }
            current = next
        }
        return current
    }
}
