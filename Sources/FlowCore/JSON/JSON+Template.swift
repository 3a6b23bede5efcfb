import FlowTemplate

extension TemplateValue {
    /// JSON as template data: objects become maps (so `{{reply.label}}` works), arrays lists.
    public init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .string(let string): self = .string(string)
        case .array(let items): self = .list(items.map(TemplateValue.init))
        case .object(let pairs):
            var map: [String: TemplateValue] = [:]
            for (key, value) in pairs where map[key] == nil { map[key] = TemplateValue(value) }
            self = .map(map)
        }
    }
}

extension JSON {
    /// The pairs of an object; empty for anything else.
    var pairs: [(String, JSON)] {
        if case .object(let pairs) = self { return pairs }
        return []
    }

    /// Template data as JSON, keys sorted so records are stable.
    public init(_ value: TemplateValue) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .number(let text): self = Int(text).map(JSON.int) ?? .double(Double(text) ?? 0)
        case .string(let string): self = .string(string)
        case .list(let items): self = .array(items.map(JSON.init))
        case .map(let map): self = .object(map.keys.sorted().map { ($0, JSON(map[$0]!)) })
        }
    }

    init(_ map: [String: TemplateValue]) { self.init(TemplateValue.map(map)) }
}

extension JSON {
    /// This object with `pairs` added at the end.
    public func adding(_ pairs: [(String, JSON)]) -> JSON {
        guard case .object(let existing) = self else { return self }
        return .object(existing + pairs)
    }
}
