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
