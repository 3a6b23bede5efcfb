import Foundation

/// JSON values as JSON Schema compares and measures them: numbers by value (1 and 1.0 are equal,
/// integers exactly), objects without regard to key order, strings by code points. Pure.
enum SchemaValue {
    /// Equality as `const`, `enum` and `uniqueItems` mean it.
    static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return y.isFinite && y == y.rounded() && Double(x) == y && Int(exactly: y) == x
        case (.double(let x), .double(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            let other = Dictionary(y.map { ($0.0, $0.1) }) { first, _ in first }
            return x.allSatisfy { pair in other[pair.0].map { equal(pair.1, $0) } ?? false }
        // Code points, not Unicode equivalence: "é" as one scalar and as e + a combining accent differ.
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        default: return a == b
        }
    }

    /// The instance's JSON Schema type: null, boolean, integer (also 1.0), number, string, array, object.
    static func type(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let number): return number.isFinite && number == number.rounded() ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Whether `value` is of `type` (an integer is also a number).
    static func isOfType(_ value: JSON, _ type: String) -> Bool {
        let actual = self.type(value)
        return actual == type || (type == "number" && actual == "integer")
    }

    /// Compares two numbers exactly when both are integers; nil when either is not a number.
    static func compare(_ a: JSON, _ b: JSON) -> ComparisonResult? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
        default:
            guard let x = a.double, let y = b.double else { return nil }
            return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
        }
    }

    /// Whether `value` is a multiple of `divisor` (exact for integers; a quotient that overflows is not).
    static func isMultiple(_ value: JSON, of divisor: JSON) -> Bool {
        if case .int(let x) = value, case .int(let d) = divisor, d != 0 { return x % d == 0 }
        guard let x = value.double, let d = divisor.double, d > 0 else { return false }
        let quotient = x / d
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    /// A short rendering of a value for messages.
    static func shown(_ value: JSON) -> String {
        let text = value.serialized
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
