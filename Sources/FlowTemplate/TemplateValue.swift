import FlowSource

/// Data a template renders: what YAML vars, saved step outputs and parsed JSON become.
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    /// A number as the text it came from wrote it (`5.50`, `1e3`): a parsed answer's, so a
    /// prompt renders it back unchanged. Its text is a valid JSON number.
    case number(String)
    case string(String)
    case list([TemplateValue])
    case map([String: TemplateValue])

    /// The text a variable tag interpolates. An object or a list (a `parse: json` answer, a
    /// YAML mapping) renders as its compact JSON text, keys sorted, so `{{order}}` puts the whole
    /// value in a prompt instead of nothing; scalars render as themselves.
    public var interpolated: String {
        switch self {
        case .null: return ""
        case .bool(let bool): return bool ? "true" : "false"
        case .int(let int): return String(int)
        case .double(let double):
            // Whole numbers print without a fraction, as YAML and JSON users wrote them.
            if double == double.rounded(), abs(double) < 1e15 { return String(Int(double)) }
            return String(double)
        case .number(let text): return text
        case .string(let string): return string
        case .list, .map: return jsonText
        }
    }

    /// The value as compact JSON, object keys sorted so renders are stable.
    public var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool, .int: return interpolated
        case .double(let double): return double.isFinite ? interpolated : "null"
        case .number(let text): return text
        case .string(let string): return Self.quoted(string)
        case .list(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .map(let map): return "{" + map.keys.sorted().map { Self.quoted($0) + ":" + map[$0]!.jsonText }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String { JSONStringLiteral.quoted(text) }

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
