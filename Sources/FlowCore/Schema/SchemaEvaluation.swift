import Foundation

/// One evaluation of a schema against a value: the failures, and the annotations the
/// `unevaluated*` keywords read (the properties and items the passing subschemas evaluated).
struct Evaluation {
    var failures: [SchemaFailure] = []
    var properties: Set<String> = []
    var items: Set<Int> = []

    var passed: Bool { failures.isEmpty }

    /// Takes another evaluation's failures, and its annotations when it passed.
    mutating func absorb(_ other: Evaluation) {
        failures += other.failures
        if other.passed {
            properties.formUnion(other.properties)
            items.formUnion(other.items)
        }
    }

    /// Takes the failures of an evaluation at another instance location (a property's value,
    /// an item): what it evaluated inside that value is no annotation of this one.
    mutating func absorbFailures(_ other: Evaluation) {
        failures += other.failures
    }

    /// Takes only the annotations of a passing evaluation (`anyOf`, `oneOf`, `if`).
    mutating func annotate(_ other: Evaluation) {
        guard other.passed else { return }
        properties.formUnion(other.properties)
        items.formUnion(other.items)
    }
}

/// The keywords evaluation reads, so a schema node stores them by position and a lookup needs
/// no string hashing (which was most of the validator's time).
enum Keyword: Int, CaseIterable {
    case dynamicRef
    case ref
    case additionalProperties
    case allOf
    case anyOf
    case const
    case contains
    case dependentRequired
    case dependentSchemas
    case `else`
    case `enum`
    case exclusiveMaximum
    case exclusiveMinimum
    case format
    case `if`
    case items
    case maxContains
    case maxItems
    case maxLength
    case maxProperties
    case maximum
    case minContains
    case minItems
    case minLength
    case minProperties
    case minimum
    case multipleOf
    case not
    case oneOf
    case pattern
    case patternProperties
    case prefixItems
    case properties
    case propertyNames
    case required
    case then
    case type
    case unevaluatedItems
    case unevaluatedProperties
    case uniqueItems
    /// Read only to follow the dynamic scope (which resources `$dynamicRef` may land in).
    case id

    /// The keyword as schemas spell it.
    var name: String { Self.names[rawValue] }
    private static let names = [
        "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains", "dependentRequired",
        "dependentSchemas", "else", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items",
        "maxContains", "maxItems", "maxLength", "maxProperties", "maximum", "minContains", "minItems", "minLength",
        "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern", "patternProperties", "prefixItems",
        "properties", "propertyNames", "required", "then", "type", "unevaluatedItems", "unevaluatedProperties",
        "uniqueItems", "$id",
    ]
}

/// A schema object's keywords by position: each evaluation reads a few dozen of them, and a
/// lookup is an array index (the few keys present are mapped once, when the node is made).
struct SchemaNode {
    private var values = [JSON?](repeating: nil, count: Keyword.allCases.count)
    private static let positions: [String: Int] = Dictionary(uniqueKeysWithValues: Keyword.allCases.map { ($0.name, $0.rawValue) })

    init(_ pairs: [(String, JSON)]) {
        for (key, value) in pairs {
            if let position = Self.positions[key], values[position] == nil { values[position] = value }
        }
    }

    subscript(_ keyword: Keyword) -> JSON? { values[keyword.rawValue] }
}

/// Walks a schema over a value. `depth` bounds `$ref` cycles that never reach a value.
struct Context {
    let validator: JSONSchemaValidator
    var depth = 0
    /// References resolved in this validation, so each is parsed once however many values use it.
    var resolved: [String: (JSON, String)] = [:]
    /// The schema resources (`$id`s) entered on the way here, outermost first: the dynamic scope
    /// `$dynamicRef` searches. Kept only when the schema has dynamic anchors.
    var scope: [String] = ["#"]

    mutating func evaluate(_ schema: JSON, schemaPath: String, _ value: JSON, at path: String) -> Evaluation {
        var result = Evaluation()
        let node: SchemaNode
        // The keywords' own failures gather apart from `result`, which the applicators change
        // while `fail` may be called (an inout and a capture of one variable would conflict).
        var own: [SchemaFailure] = []
        func fail(_ keyword: String, _ message: String) {
            own.append(SchemaFailure(instancePath: path, schemaPath: schemaPath + "/" + keyword, message: message))
        }
        switch schema {
        case .bool(true): return result
        case .bool(false):
            result.failures.append(SchemaFailure(instancePath: path, schemaPath: schemaPath, message: "no value is allowed here (false schema), got \(SchemaValue.shown(value))"))
            return result
        case .object(let pairs): node = SchemaNode(pairs)
        default: return result
        }
        guard depth < 64 else {
            return Evaluation(failures: [SchemaFailure(instancePath: path, schemaPath: schemaPath, message: "the schema refers to itself without end")])
        }
        let entersResource = !validator.resources.dynamicAnchors.isEmpty && node[.id] != nil && schemaPath != "#"
        if entersResource { scope.append(schemaPath) }
        defer { if entersResource { scope.removeLast() } }
        for keyword in [Keyword.ref, .dynamicRef] {
            guard let reference = node[keyword]?.string else { continue }
            let keywordName = keyword.name
            let target: (JSON, String)?
            if keyword == .dynamicRef {
                // Not cached: where it lands depends on the scope it is reached through.
                target = dynamicTarget(reference, at: schemaPath)
            } else if let known = resolved[schemaPath + " " + reference] {
                target = known
            } else {
                target = validator.resolve(reference, at: schemaPath)
                if let target { resolved[schemaPath + " " + reference] = target }
            }
            guard let (resolved, pointer) = target else {
                fail(keywordName, "cannot resolve \(reference)")
                continue
            }
            // A reference into the middle of a resource still enters that resource's scope.
            var entered = false
            if !validator.resources.dynamicAnchors.isEmpty, resolved["$id"] == nil || pointer == "#" {
                let resource = validator.resources.resource(containing: pointer)
                if scope.last != resource {
                    scope.append(resource)
                    entered = true
                }
            }
            depth += 1
            result.absorb(evaluate(resolved, schemaPath: pointer, value, at: path))
            depth -= 1
            if entered { scope.removeLast() }
        }
        checkValue(node, value, fail: fail)
        checkCombinations(node, schemaPath: schemaPath, value, at: path, into: &result)
        switch value {
        case .object(let pairs): checkObject(node, schemaPath: schemaPath, pairs, at: path, into: &result, fail: fail)
        case .array(let items): checkArray(node, schemaPath: schemaPath, items, at: path, into: &result, fail: fail)
        case .string(let text): checkString(node, text, fail: fail)
        default: break
        }
        result.failures = own + result.failures
        return result
    }

    static let bounds: [(Keyword, String, @Sendable (ComparisonResult) -> Bool)] = [
        (.minimum, "at least", { $0 != .orderedAscending }), (.exclusiveMinimum, "above", { $0 == .orderedDescending }),
        (.maximum, "at most", { $0 != .orderedDescending }), (.exclusiveMaximum, "below", { $0 == .orderedAscending }),
    ]

    /// `$dynamicRef`: when its static target has a `$dynamicAnchor` of the fragment's name, the
    /// anchor of that name in the outermost resource of the dynamic scope that has one.
    func dynamicTarget(_ reference: String, at pointer: String) -> (JSON, String)? {
        let name = SchemaURI.split(reference).fragment
        guard let statically = validator.resolve(reference, at: pointer) else { return nil }
        guard !name.hasPrefix("/"), statically.0["$dynamicAnchor"]?.string == name else { return statically }
        for resource in scope {
            if let found = validator.resources.dynamicAnchors[resource]?[name] { return found }
        }
        return statically
    }

    private func checkValue(_ schema: SchemaNode, _ value: JSON, fail: (String, String) -> Void) {
        if let type = schema[.type] {
            let allowed = type.array?.compactMap(\.string) ?? [type.string].compactMap { $0 }
            if !allowed.contains(where: { SchemaValue.isOfType(value, $0) }) {
                fail("type", "expected \(allowed.joined(separator: " or ")), got \(SchemaValue.type(value)) \(SchemaValue.shown(value))")
            }
        }
        if let constant = schema[.const], !SchemaValue.equal(constant, value) {
            fail("const", "expected \(SchemaValue.shown(constant)), got \(SchemaValue.shown(value))")
        }
        if let options = schema[.enum]?.array, !options.contains(where: { SchemaValue.equal($0, value) }) {
            fail("enum", "expected one of \(SchemaValue.shown(.array(options))), got \(SchemaValue.shown(value))")
        }
        guard value.double != nil, SchemaValue.type(value) != "boolean" else { return }
        if let divisor = schema[.multipleOf], !SchemaValue.isMultiple(value, of: divisor) {
            fail("multipleOf", "expected a multiple of \(divisor.serialized), got \(value.serialized)")
        }
        for (keyword, words, holds) in Self.bounds {
            guard let bound = schema[keyword], let order = SchemaValue.compare(value, bound), !holds(order) else { continue }
            fail(keyword.name, "expected \(words) \(bound.serialized), got \(value.serialized)")
        }
    }

    private mutating func checkCombinations(_ schema: SchemaNode, schemaPath: String, _ value: JSON, at path: String, into result: inout Evaluation) {
        if let all = schema[.allOf]?.array {
            for (index, sub) in all.enumerated() { result.absorb(evaluate(sub, schemaPath: schemaPath + "/allOf/\(index)", value, at: path)) }
        }
        if let any = schema[.anyOf]?.array {
            let runs = any.enumerated().map { evaluate($1, schemaPath: schemaPath + "/anyOf/\($0)", value, at: path) }
            runs.forEach { result.annotate($0) }
            if !runs.contains(where: \.passed) {
                result.failures.append(SchemaFailure(instancePath: path, schemaPath: schemaPath + "/anyOf",
                                                     message: "expected to match at least one of \(any.count) schemas, matched none (\(Self.firstReasons(runs)))"))
            }
        }
        if let one = schema[.oneOf]?.array {
            let runs = one.enumerated().map { evaluate($1, schemaPath: schemaPath + "/oneOf/\($0)", value, at: path) }
            let passing = runs.indices.filter { runs[$0].passed }
            if passing.count == 1 {
                result.annotate(runs[passing[0]])
            } else {
                let got = passing.isEmpty ? "none (\(Self.firstReasons(runs)))" : "\(passing.count): " + passing.map { "#\($0)" }.joined(separator: ", ")
                result.failures.append(SchemaFailure(instancePath: path, schemaPath: schemaPath + "/oneOf",
                                                     message: "expected to match exactly one of \(one.count) schemas, matched \(got)"))
            }
        }
        if let not = schema[.not], evaluate(not, schemaPath: schemaPath + "/not", value, at: path).passed {
            result.failures.append(SchemaFailure(instancePath: path, schemaPath: schemaPath + "/not", message: "expected not to match the schema, but it did"))
        }
        if let condition = schema[.if] {
            let test = evaluate(condition, schemaPath: schemaPath + "/if", value, at: path)
            result.annotate(test)
            let branch: Keyword = test.passed ? .then : .else
            if let next = schema[branch] { result.absorb(evaluate(next, schemaPath: schemaPath + "/" + branch.name, value, at: path)) }
        }
    }

    static func firstReasons(_ runs: [Evaluation]) -> String {
        runs.compactMap { $0.failures.first?.message }.prefix(3).joined(separator: "; ")
    }

    private mutating func checkObject(_ schema: SchemaNode, schemaPath: String, _ pairs: [(String, JSON)], at path: String,
                                      into result: inout Evaluation, fail: (String, String) -> Void) {
        let names = pairs.map(\.0)
        for name in schema[.required]?.array?.compactMap(\.string) ?? [] where !names.contains(name) {
            fail("required", "missing required property '\(name)'")
        }
        if let minimum = schema[.minProperties]?.int, pairs.count < minimum { fail("minProperties", "expected at least \(minimum) properties, got \(pairs.count)") }
        if let maximum = schema[.maxProperties]?.int, pairs.count > maximum { fail("maxProperties", "expected at most \(maximum) properties, got \(pairs.count)") }
        for (trigger, needed) in schema[.dependentRequired]?.objectPairs ?? [] where names.contains(trigger) {
            for name in needed.array?.compactMap(\.string) ?? [] where !names.contains(name) {
                fail("dependentRequired/" + Pointer.escape(trigger), "'\(trigger)' is present, so '\(name)' is required")
            }
        }
        for (trigger, sub) in schema[.dependentSchemas]?.objectPairs ?? [] where names.contains(trigger) {
            result.absorb(evaluate(sub, schemaPath: schemaPath + "/dependentSchemas/" + Pointer.escape(trigger), .object(pairs), at: path))
        }
        if let nameSchema = schema[.propertyNames] {
            for name in names {
                result.failures += evaluate(nameSchema, schemaPath: schemaPath + "/propertyNames", .string(name), at: path + Self.member(name)).failures
            }
        }
        var matched: Set<String> = []
        let properties = schema[.properties]?.objectPairs ?? []
        for (name, value) in pairs {
            let place = path + Self.member(name)
            if let sub = properties.first(where: { $0.0 == name })?.1 {
                matched.insert(name)
                result.absorbFailures(evaluate(sub, schemaPath: schemaPath + "/properties/" + Pointer.escape(name), value, at: place))
                result.properties.insert(name)
            }
            for (pattern, sub) in schema[.patternProperties]?.objectPairs ?? [] where ECMARegex.found(pattern, in: name) {
                matched.insert(name)
                result.absorbFailures(evaluate(sub, schemaPath: schemaPath + "/patternProperties/" + Pointer.escape(pattern), value, at: place))
                result.properties.insert(name)
            }
        }
        if let additional = schema[.additionalProperties] {
            for (name, value) in pairs where !matched.contains(name) {
                result.absorbFailures(evaluate(additional, schemaPath: schemaPath + "/additionalProperties", value, at: path + Self.member(name)))
                result.properties.insert(name)
            }
        }
        if let unevaluated = schema[.unevaluatedProperties] {
            for (name, value) in pairs where !result.properties.contains(name) {
                result.absorbFailures(evaluate(unevaluated, schemaPath: schemaPath + "/unevaluatedProperties", value, at: path + Self.member(name)))
                result.properties.insert(name)
            }
        }
    }

    private mutating func checkArray(_ schema: SchemaNode, schemaPath: String, _ items: [JSON], at path: String,
                                     into result: inout Evaluation, fail: (String, String) -> Void) {
        if let minimum = schema[.minItems]?.int, items.count < minimum { fail("minItems", "expected at least \(minimum) items, got \(items.count)") }
        if let maximum = schema[.maxItems]?.int, items.count > maximum { fail("maxItems", "expected at most \(maximum) items, got \(items.count)") }
        if schema[.uniqueItems] == .bool(true) {
            outer: for first in items.indices {
                for second in items.indices where second > first && SchemaValue.equal(items[first], items[second]) {
                    fail("uniqueItems", "expected unique items, but items \(first) and \(second) are equal (\(SchemaValue.shown(items[first])))")
                    break outer
                }
            }
        }
        let prefix = schema[.prefixItems]?.array ?? []
        for (index, sub) in prefix.enumerated() where index < items.count {
            result.absorbFailures(evaluate(sub, schemaPath: schemaPath + "/prefixItems/\(index)", items[index], at: path + "[\(index)]"))
            result.items.insert(index)
        }
        if let rest = schema[.items] {
            for index in items.indices where index >= prefix.count {
                result.absorbFailures(evaluate(rest, schemaPath: schemaPath + "/items", items[index], at: path + "[\(index)]"))
                result.items.insert(index)
            }
        }
        if let contains = schema[.contains] {
            let matching = items.indices.filter { evaluate(contains, schemaPath: schemaPath + "/contains", items[$0], at: path + "[\($0)]").passed }
            result.items.formUnion(matching)
            let minimum = schema[.minContains]?.int ?? 1
            if matching.count < minimum {
                fail(schema[.minContains] == nil ? "contains" : "minContains", "expected at least \(minimum) items matching 'contains', got \(matching.count)")
            }
            if let maximum = schema[.maxContains]?.int, matching.count > maximum {
                fail("maxContains", "expected at most \(maximum) items matching 'contains', got \(matching.count)")
            }
        }
        if let unevaluated = schema[.unevaluatedItems] {
            for index in items.indices where !result.items.contains(index) {
                result.absorbFailures(evaluate(unevaluated, schemaPath: schemaPath + "/unevaluatedItems", items[index], at: path + "[\(index)]"))
                result.items.insert(index)
            }
        }
    }

    private func checkString(_ schema: SchemaNode, _ text: String, fail: (String, String) -> Void) {
        let length = text.unicodeScalars.count
        if let minimum = schema[.minLength]?.int, length < minimum { fail("minLength", "expected at least \(minimum) characters, got \(length)") }
        if let maximum = schema[.maxLength]?.int, length > maximum { fail("maxLength", "expected at most \(maximum) characters, got \(length)") }
        if let pattern = schema[.pattern]?.string, !ECMARegex.found(pattern, in: text) {
            fail("pattern", "expected to match /\(pattern)/, got \(SchemaValue.shown(.string(text)))")
        }
        if validator.formatAssertion, let format = schema[.format]?.string, let ok = SchemaFormats.check(format, text), !ok {
            fail("format", "expected a valid \(format), got \(SchemaValue.shown(.string(text)))")
        }
    }

    /// `.name`, or `["odd name"]` when it is not a plain identifier.
    static func member(_ name: String) -> String {
        let bytes = name.utf8
        let plain = !bytes.isEmpty && !(bytes.first.map { $0 >= 0x30 && $0 <= 0x39 } ?? false) && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        return plain ? "." + name : "[" + JSON.string(name).serialized + "]"
    }
}

extension JSON {
    /// The pairs of an object; nil for anything else.
    var objectPairs: [(String, JSON)]? {
        if case .object(let pairs) = self { return pairs }
        return nil
    }
}
