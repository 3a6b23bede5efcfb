/// A scalar resolved by the YAML 1.2 core schema.
public enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    /// The kind of value for messages: `a string`, `an integer`, `null`…
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        }
    }
}

extension Node {
    /// The scalar's value under the YAML 1.2 core schema. Quoted and block scalars, and `!!str`
    /// or `!` tags, stay strings; only plain untagged scalars are resolved, and YAML 1.1's
    /// `yes`/`no`/`on`/`off` are strings. Collections resolve to `.null`; check `content` first.
    public var value: Value {
        guard let scalar else { return .null }
        switch tag {
        case nil:
            return scalar.style == .plain ? CoreSchema.resolve(scalar.text) : .string(scalar.text)
        case CoreSchema.strTag, "!":
            return .string(scalar.text)
        case CoreSchema.nullTag, CoreSchema.boolTag, CoreSchema.intTag, CoreSchema.floatTag:
            // An explicit tag asks for that type; text that does not fit stays a string so the
            // consumer reports a type error at this node.
            let resolved = CoreSchema.resolve(scalar.text)
            switch (tag, resolved) {
            case (CoreSchema.nullTag, .null), (CoreSchema.boolTag, .bool), (CoreSchema.intTag, .int),
                 (CoreSchema.floatTag, .float):
                return resolved
            case (CoreSchema.floatTag, .int(let int)):
                return .float(Double(int))
            default:
                return .string(scalar.text)
            }
        default:
            return .string(scalar.text)
        }
    }
}

/// The YAML 1.2 core schema's resolution of plain scalars (spec 1.2.2, section 10.3.2).
enum CoreSchema {
    static let strTag = "tag:yaml.org,2002:str"
    static let nullTag = "tag:yaml.org,2002:null"
    static let boolTag = "tag:yaml.org,2002:bool"
    static let intTag = "tag:yaml.org,2002:int"
    static let floatTag = "tag:yaml.org,2002:float"

    static func resolve(_ text: String) -> Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let int = integer(text) { return .int(int) }
        if isFloat(text), let double = Double(text) { return .float(double) }
        // An integer too large for Int is still a number, not a string.
        if isDecimalInteger(text), let double = Double(text) { return .float(double) }
        return .string(text)
    }

    private static func integer(_ text: String) -> Int? {
        if text.hasPrefix("0o") { return allDigits(text.dropFirst(2), in: "01234567") ? Int(text.dropFirst(2), radix: 8) : nil }
        if text.hasPrefix("0x") { return allDigits(text.dropFirst(2), in: "0123456789abcdefABCDEF") ? Int(text.dropFirst(2), radix: 16) : nil }
        return isDecimalInteger(text) ? Int(text) : nil
    }

    private static func isDecimalInteger(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        return allDigits(body, in: "0123456789")
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
    private static func isFloat(_ text: String) -> Bool {
        var chars = Substring(text)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        let mantissaEnd = chars.firstIndex { $0 == "e" || $0 == "E" } ?? chars.endIndex
        let mantissa = chars[..<mantissaEnd]
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard allDigits(parts[0], in: "0123456789") else { return false }
        case 2:
            let whole = parts[0], fraction = parts[1]
            if whole.isEmpty {
                guard allDigits(fraction, in: "0123456789") else { return false }
            } else {
                guard allDigits(whole, in: "0123456789"),
                      fraction.isEmpty || allDigits(fraction, in: "0123456789") else { return false }
            }
        default:
            return false
        }
        if mantissaEnd == chars.endIndex { return parts.count == 2 }
        var exponent = chars[chars.index(after: mantissaEnd)...]
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        return allDigits(exponent, in: "0123456789")
    }

    private static func allDigits(_ text: Substring, in digits: String) -> Bool {
        !text.isEmpty && text.allSatisfy { digits.contains($0) }
    }
}
