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
    /// Its resources, anchors and the base URI at each reference.
    let resources: SchemaResources

    /// A validator for `schema`.
    public init(schema: JSON, formatAssertion: Bool = false) {
        root = schema
        self.formatAssertion = formatAssertion
        resources = SchemaResources(schema)
    }

    /// Every failure of `instance` (all of them, in schema order).
    public func validate(_ instance: JSON) -> [SchemaFailure] {
        var context = Context(validator: self)
        return context.evaluate(root, schemaPath: "#", instance, at: "$").failures
    }

    /// Whether `instance` is valid.
    public func isValid(_ instance: JSON) -> Bool { validate(instance).isEmpty }

    /// The schema `reference`, written in the schema object at `pointer`, names, with its
    /// pointer; nil when it names nothing in this document.
    func resolve(_ reference: String, at pointer: String) -> (JSON, String)? {
        if case .found(let located) = resources.target(of: reference, at: pointer) { return located }
        return nil
    }
}

/// JSON pointers (RFC 6901) within a schema, `~0`/`~1` and percent-escapes decoded.
enum Pointer {
    static func escape(_ key: String) -> String {
        // Most keys need no escape; checking the bytes first keeps validation off Foundation.
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        return key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func resolve(_ pointer: String, in document: JSON) -> JSON? { locate(pointer, in: document)?.0 }

    /// The value at `pointer` and the pointer spelled as flow spells schema paths (tokens
    /// decoded, then `~`/`/` escaped again, no percent-escapes), so one place has one name.
    static func locate(_ pointer: String, in document: JSON) -> (JSON, String)? {
        var current = document
        var canonical = ""
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
            canonical += "/" + escape(token)
        }
        return (current, canonical)
    }
}
