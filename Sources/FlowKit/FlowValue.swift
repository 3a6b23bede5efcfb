import FlowCore
import FlowTemplate

/// A value a workflow takes as input or gives back parsed: JSON's kinds. Literals write it:
/// `["ticket": "I was charged twice", "tags": ["billing"], "limit": 3]`.
public enum FlowValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FlowValue])
    /// Keys in the order written.
    case object([(String, FlowValue)])

    public static func == (lhs: FlowValue, rhs: FlowValue) -> Bool { lhs.json == rhs.json }

    /// The value as JSON text.
    public var description: String { json.serialized }

    /// The text of a string value; nil for any other kind.
    public var string: String? { if case .string(let text) = self { return text } else { return nil } }

    /// The member at `key` of an object value.
    public subscript(key: String) -> FlowValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    var json: JSON {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value): return value == value.rounded() && abs(value) < 9e15 ? .int(Int(value)) : .double(value)
        case .string(let value): return .string(value)
        case .array(let items): return .array(items.map(\.json))
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.json) })
        }
    }

    init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .number(Double(value))
        case .double(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .array(items.map(FlowValue.init))
        case .object(let pairs): self = .object(pairs.map { ($0.0, FlowValue($0.1)) })
        }
    }

    init(_ value: TemplateValue) { self.init(JSON(value)) }

    var templateValue: TemplateValue { TemplateValue(json) }
}

extension FlowValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                     ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: FlowValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, FlowValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}
