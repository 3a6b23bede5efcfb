extension JSON {
    /// The value with `Redaction.text` applied to every string in it.
    public var redacted: JSON {
        switch self {
        case .string(let text): return .string(Redaction.text(text))
        case .array(let items): return .array(items.map(\.redacted))
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.redacted) })
        default: return self
        }
    }
}
