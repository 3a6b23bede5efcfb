/// A JSON value whose objects keep their key order, so wire bodies and transcript lines are
/// written in a stable, readable order and golden tests can compare them byte for byte.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// Equal values: objects by their keys whatever the order, numbers across Int and Double.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b.first { $0.0 == key }?.1 == value }
        default: return false
        }
    }

    /// The value under `key` in an object (the first, if a body repeats a key).
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The item at `index` in an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The integer, if this is one (or a double with no fraction that fits).
    public var int: Int? {
        switch self {
        case .int(let int): return int
        case .double(let double) where double == double.rounded() && abs(double) < 9e15: return Int(double)
        default: return nil
        }
    }

    /// The number as a Double, integer or not.
    public var double: Double? {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        default: return nil
        }
    }

    /// The items, if this is an array.
    public var array: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSON {
    /// Builds an object from pairs, leaving out the nil values; keeps the given order.
    public static func object(omittingNil pairs: [(String, JSON?)]) -> JSON {
        .object(pairs.compactMap { key, value in value.map { (key, $0) } })
    }
}
