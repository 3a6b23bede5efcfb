import Foundation

/// One way a value fails a schema: where in the value, which keyword of the schema, and what
/// was expected against what came.
public struct SchemaFailure: Sendable, Equatable, CustomStringConvertible {
    /// Where in the value: `$`, `$.items[3].price`.
    public var instancePath: String
    /// The keyword that failed, as a JSON pointer into the schema: `#/properties/items/minItems`.
    public var schemaPath: String
    /// Expected against got.
    public var message: String

    /// `$.items[3].price: 0 is below the minimum 1 (#/properties/…/minimum)`
    public var description: String { "\(instancePath): \(message) (\(schemaPath))" }
}

/// JSON Schema draft 2020-12 validation: the core (`$ref`, `$defs`, `$anchor`, `$dynamicRef`,
/// `$dynamicAnchor`, boolean schemas), applicator (`allOf`, `anyOf`, `oneOf`, `not`,
/// `if`/`then`/`else`, `dependentSchemas`, `prefixItems`, `items`, `contains`, `properties`,
/// `patternProperties`, `additionalProperties`, `propertyNames`), unevaluated
/// (`unevaluatedItems`, `unevaluatedProperties`, from the annotations of the subschemas that
/// passed) and validation vocabularies (`type`, `const`, `enum`, `multipleOf`, `maximum`,
/// `exclusiveMaximum`, `minimum`, `exclusiveMinimum`, `maxLength`, `minLength` in code points,
/// `pattern` in ECMA-262 terms, `maxItems`, `minItems`, `uniqueItems`, `maxContains`,
/// `minContains`, `maxProperties`, `minProperties`, `required`, `dependentRequired`); `format`
/// is an annotation unless `formatAssertion` is on. Pure: references resolve within the schema.
public struct JSONSchemaValidator: Sendable {
    /// The schema.
    public let root: JSON
    /// Check `format` (date-time, date, time, email, uri, uuid, ipv4, ipv6, regex) instead of
    /// taking it as an annotation.
    public var formatAssertion = false
    let anchors: [String: (JSON, String)]
    /// Each resource's `$dynamicAnchor`s (by the resource's pointer, `#` for the root), for the
    /// dynamic scope; empty for the many schemas that have none.
    let dynamicAnchors: [String: [String: (JSON, String)]]

    /// A validator for `schema`.
    public init(schema: JSON, formatAssertion: Bool = false) {
        root = schema
        self.formatAssertion = formatAssertion
        var anchors: [String: (JSON, String)] = [:]
        Self.collectAnchors(schema, path: "#", into: &anchors)
        self.anchors = anchors
        var dynamicAnchors: [String: [String: (JSON, String)]] = [:]
        Self.collectDynamicAnchors(schema, path: "#", resource: "#", into: &dynamicAnchors)
        self.dynamicAnchors = dynamicAnchors
    }

    static func collectDynamicAnchors(_ schema: JSON, path: String, resource: String, into found: inout [String: [String: (JSON, String)]]) {
        switch schema {
        case .object(let pairs):
            let resource = schema["$id"] != nil && path != "#" ? path : resource
            if let name = schema["$dynamicAnchor"]?.string, found[resource]?[name] == nil {
                found[resource, default: [:]][name] = (schema, path)
            }
            for (key, value) in pairs where !["const", "enum", "default", "examples"].contains(key) {
                collectDynamicAnchors(value, path: path + "/" + Pointer.escape(key), resource: resource, into: &found)
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                collectDynamicAnchors(item, path: path + "/\(index)", resource: resource, into: &found)
            }
        default:
            break
        }
    }

    /// Every failure of `instance` (all of them, in schema order).
    public func validate(_ instance: JSON) -> [SchemaFailure] {
        var context = Context(validator: self)
        return context.evaluate(root, schemaPath: "#", instance, at: "$").failures
    }

    /// Whether `instance` is valid.
    public func isValid(_ instance: JSON) -> Bool { validate(instance).isEmpty }

    static func collectAnchors(_ schema: JSON, path: String, into anchors: inout [String: (JSON, String)]) {
        switch schema {
        case .object(let pairs):
            if let name = schema["$anchor"]?.string { anchors[name] = (schema, path) }
            // A dynamic anchor is also a plain one (the outermost of its name).
            if let name = schema["$dynamicAnchor"]?.string, anchors[name] == nil { anchors[name] = (schema, path) }
            if let id = schema["$id"]?.string { anchors["id:" + id] = (schema, path) }
            for (key, value) in pairs where !["const", "enum", "default", "examples"].contains(key) {
                collectAnchors(value, path: path + "/" + Pointer.escape(key), into: &anchors)
            }
        case .array(let items):
            for (index, item) in items.enumerated() { collectAnchors(item, path: path + "/\(index)", into: &anchors) }
        default:
            break
        }
    }

    /// The schema `reference` names, with its pointer, or nil.
    func resolve(_ reference: String) -> (JSON, String)? {
        if let hash = reference.firstIndex(of: "#") {
            let document = String(reference[..<hash]), fragment = String(reference[reference.index(after: hash)...])
            var base = (root, "#")
            if !document.isEmpty {
                guard let found = anchors.first(where: { $0.key.hasPrefix("id:") && Self.sameResource($0.key.dropFirst(3), document) })?.value else { return nil }
                base = found
            }
            if fragment.isEmpty { return base }
            if fragment.hasPrefix("/") {
                return Pointer.resolve(fragment, in: base.0).map { ($0, base.1 + fragment) }
            }
            return anchors[fragment]
        }
        return anchors.first { $0.key.hasPrefix("id:") && Self.sameResource($0.key.dropFirst(3), reference) }?.value
    }

    /// Whether two references name the same resource, comparing their last path parts (the
    /// relative `$id`s a single document uses).
    static func sameResource<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        a == b || a.split(separator: "/").last == b.split(separator: "/").last
    }
}

/// JSON pointers (RFC 6901) within a schema, `~0`/`~1` and percent-escapes decoded.
enum Pointer {
    static func escape(_ key: String) -> String {
        // Most keys need no escape; checking the bytes first keeps validation off Foundation.
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        return key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func resolve(_ pointer: String, in document: JSON) -> JSON? {
        var current = document
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let token = (String(raw).removingPercentEncoding ?? String(raw)).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object:
                guard let next = current[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
