extension JSON {
    /// Compact JSON with object keys sorted: the same value always gives the same text, so it
    /// can be hashed and diffed.
    public var canonical: String { sortedKeys.serialized }

    /// This value with every object's keys sorted.
    public var sortedKeys: JSON {
        switch self {
        case .array(let items): return .array(items.map(\.sortedKeys))
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.sortedKeys) }.sorted { $0.0 < $1.0 })
        default: return self
        }
    }
}
