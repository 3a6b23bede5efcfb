import Testing
@testable import FlowCore

/// JSON Schema draft 2020-12, keyword by keyword, as the specification's text describes each:
/// a value the keyword accepts and one it refuses. Written here from the spec, not copied from
/// its test suite.
@Suite struct JSONSchemaTests {
    static func valid(_ schema: String, _ instance: String, formats: Bool = false) throws -> Bool {
        JSONSchemaValidator(schema: try JSON.parse(schema), formatAssertion: formats).isValid(try JSON.parse(instance))
    }

    /// (schema, accepted, refused) for each keyword.
    static let keywords: [(String, String, String, String)] = [
        ("type list", ##"{"type": ["string", "null"]}"##, ##"null"##, ##"5"##),
        ("type integer takes 1.0", ##"{"type": "integer"}"##, ##"1.0"##, ##"1.5"##),
        ("const", ##"{"const": {"a": [1, 2]}}"##, ##"{"a": [1.0, 2]}"##, ##"{"a": [2, 1]}"##),
        ("enum", ##"{"enum": ["a", 1, null]}"##, ##"1.0"##, ##"false"##),
        ("multipleOf", ##"{"multipleOf": 0.01}"##, ##"19.99"##, ##"19.995"##),
        ("multipleOf overflow", ##"{"type": "integer", "multipleOf": 0.123456789}"##, ##"0"##, ##"1e308"##),
        ("minimum exact beyond 2^53", ##"{"minimum": 9007199254740993}"##, ##"9007199254740993"##, ##"9007199254740992"##),
        ("exclusiveMinimum", ##"{"exclusiveMinimum": 1}"##, ##"1.1"##, ##"1"##),
        ("maximum", ##"{"maximum": 3}"##, ##"3"##, ##"3.5"##),
        ("exclusiveMaximum", ##"{"exclusiveMaximum": 3}"##, ##"2.9"##, ##"3"##),
        ("maxLength counts code points", ##"{"maxLength": 1}"##, ##""é""##, ##""🇫🇷""##),
        ("minLength counts code points", ##"{"minLength": 5}"##, ##""👨‍👩‍👧""##, ##""abcd""##),
        ("pattern is unanchored", ##"{"pattern": "b+"}"##, ##""abbc""##, ##""ac""##),
        ("pattern \\d is ASCII", ##"{"pattern": "^\\d$"}"##, ##""7""##, ##""߀""##),
        ("pattern $ is the end", ##"{"pattern": "^abc$"}"##, ##""abc""##, "\"abc\\n\""),
        ("pattern \\w is ASCII", ##"{"pattern": "^\\w+$"}"##, ##""a_1""##, ##""é""##),
        ("minItems", ##"{"minItems": 2}"##, ##"[1, 2]"##, ##"[1]"##),
        ("maxItems", ##"{"maxItems": 1}"##, ##"[1]"##, ##"[1, 2]"##),
        ("uniqueItems", ##"{"uniqueItems": true}"##, ##"[1, "1", {"a": 1}]"##, ##"[{"a": 1, "b": 2}, {"b": 2, "a": 1.0}]"##),
        ("prefixItems then items", ##"{"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}"##, ##"["x", 2, 3]"##, ##"["x", "y"]"##),
        ("items false", ##"{"prefixItems": [{}], "items": false}"##, ##"[1]"##, ##"[1, 2]"##),
        ("contains", ##"{"contains": {"type": "integer"}}"##, ##"["a", 1]"##, ##"["a"]"##),
        ("minContains", ##"{"contains": {"const": 1}, "minContains": 2}"##, ##"[1, 1]"##, ##"[1, 2]"##),
        ("maxContains", ##"{"contains": {"const": 1}, "maxContains": 1}"##, ##"[1, 2]"##, ##"[1, 1]"##),
        ("minContains 0", ##"{"contains": {"const": 1}, "minContains": 0}"##, ##"[]"##, ##"not-an-array-case"##),
        ("required", ##"{"required": ["a"]}"##, ##"{"a": null}"##, ##"{"b": 1}"##),
        ("minProperties", ##"{"minProperties": 1}"##, ##"{"a": 1}"##, ##"{}"##),
        ("maxProperties", ##"{"maxProperties": 1}"##, ##"{"a": 1}"##, ##"{"a": 1, "b": 2}"##),
        ("dependentRequired", ##"{"dependentRequired": {"card": ["billing"]}}"##, ##"{"card": 1, "billing": 2}"##, ##"{"card": 1}"##),
        ("dependentSchemas", ##"{"dependentSchemas": {"card": {"required": ["billing"]}}}"##, ##"{"name": 1}"##, ##"{"card": 1}"##),
        ("properties with a false schema", ##"{"properties": {"bar": false}}"##, ##"{"foo": 2}"##, ##"{"bar": 2}"##),
        ("patternProperties", ##"{"patternProperties": {"^x-": {"type": "string"}}}"##, ##"{"x-a": "s", "y": 1}"##, ##"{"x-a": 1}"##),
        ("additionalProperties", ##"{"properties": {"a": {}}, "patternProperties": {"^b": {}}, "additionalProperties": false}"##, ##"{"a": 1, "bc": 2}"##, ##"{"c": 3}"##),
        ("propertyNames", ##"{"propertyNames": {"maxLength": 3}}"##, ##"{"abc": 1}"##, ##"{"abcd": 1}"##),
        ("allOf", ##"{"allOf": [{"type": "integer"}, {"minimum": 2}]}"##, ##"3"##, ##"1"##),
        ("anyOf", ##"{"anyOf": [{"type": "string"}, {"minimum": 2}]}"##, ##"3"##, ##"1"##),
        ("oneOf", ##"{"oneOf": [{"type": "integer"}, {"minimum": 2}]}"##, ##"1"##, ##"3"##),
        ("not", ##"{"not": {"type": "string"}}"##, ##"1"##, ##""a""##),
        ("if then else", ##"{"if": {"minimum": 10}, "then": {"multipleOf": 5}, "else": {"multipleOf": 2}}"##, ##"15"##, ##"3"##),
        ("$ref to $defs", ##"{"$defs": {"positive": {"exclusiveMinimum": 0}}, "items": {"$ref": "#/$defs/positive"}}"##, ##"[1, 2]"##, ##"[1, 0]"##),
        ("$ref to an $anchor", ##"{"$defs": {"n": {"$anchor": "name", "type": "string"}}, "properties": {"a": {"$ref": "#name"}}}"##, ##"{"a": "x"}"##, ##"{"a": 1}"##),
        ("recursive $ref", ##"{"type": "object", "properties": {"child": {"$ref": "#"}}, "additionalProperties": false}"##, ##"{"child": {"child": {}}}"##, ##"{"child": {"x": 1}}"##),
        ("pointer escapes", ##"{"$defs": {"a/b": {"type": "null"}, "c~d": {"type": "null"}}, "prefixItems": [{"$ref": "#/$defs/a~1b"}, {"$ref": "#/$defs/c~0d"}]}"##, ##"[null, null]"##, ##"[null, 1]"##),
        ("unevaluatedProperties sees through allOf", ##"{"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": false}"##, ##"{"a": 1}"##, ##"{"a": 1, "b": 2}"##),
        ("unevaluatedProperties ignores a failed anyOf branch", ##"{"anyOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]}, {"properties": {"b": {}}, "required": ["b"]}], "unevaluatedProperties": false}"##, ##"{"b": 1}"##, ##"{"b": 1, "a": "x"}"##),
        ("unevaluatedItems after prefixItems", ##"{"prefixItems": [{"type": "string"}], "unevaluatedItems": false}"##, ##"["a"]"##, ##"["a", 1]"##),
        ("unevaluatedItems sees contains", ##"{"contains": {"type": "string"}, "unevaluatedItems": {"type": "integer"}}"##, ##"["a", 1]"##, ##"["a", 1.5]"##),
        ("unevaluatedProperties through $ref", ##"{"$defs": {"base": {"properties": {"id": {}}}}, "$ref": "#/$defs/base", "unevaluatedProperties": false}"##, ##"{"id": 1}"##, ##"{"id": 1, "x": 2}"##),
        ("$dynamicRef to the outermost anchor", ##"{"$dynamicAnchor": "node", "$defs": {"tree": {"$dynamicAnchor": "node", "type": "object"}}, "type": "array", "items": {"$dynamicRef": "#node"}}"##, ##"[[]]"##, ##"[{}]"##),
        // The 2020-12 spec's extension example: a strict tree reuses a tree whose children are
        // `$dynamicRef: "#node"`, so they land in the strict tree (the outermost resource with a
        // `node` anchor) and its unevaluatedProperties reaches them.
        ("$dynamicRef follows the dynamic scope across resources", ##"{"$id": "https://example.com/strict-tree", "$dynamicAnchor": "node", "$ref": "tree", "unevaluatedProperties": false, "$defs": {"tree": {"$id": "https://example.com/tree", "$dynamicAnchor": "node", "type": "object", "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}}}}"##, ##"{"children": [{"data": 1}]}"##, ##"{"children": [{"daat": 1}]}"##),
        ("$dynamicRef depends on the path taken", ##"{"$id": "https://example.com/root", "properties": {"loose": {"$ref": "tree"}, "strict": {"$ref": "strict-tree"}}, "$defs": {"strict-tree": {"$id": "https://example.com/strict-tree", "$dynamicAnchor": "node", "$ref": "tree", "unevaluatedProperties": false}, "tree": {"$id": "https://example.com/tree", "$dynamicAnchor": "node", "type": "object", "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}}}}"##, ##"{"loose": {"children": [{"daat": 1}]}, "strict": {"children": [{"data": 1}]}}"##, ##"{"strict": {"children": [{"daat": 1}]}}"##),
        ("true schema", ##"true"##, ##"{"anything": 1}"##, ##"not-applicable"##),
        ("false schema", ##"false"##, ##"not-applicable"##, ##"null"##),
    ]

    @Test func everyKeywordAcceptsAndRefuses() throws {
        for (name, schema, accepted, refused) in Self.keywords {
            if accepted != "not-applicable" { #expect(try Self.valid(schema, accepted), "\(name): \(accepted) is valid") }
            if !refused.hasPrefix("not") { #expect(try !Self.valid(schema, refused), "\(name): \(refused) is invalid") }
        }
    }

    @Test func formatIsAnAnnotationUnlessAsserted() throws {
        #expect(try Self.valid(#"{"format": "date"}"#, #""yesterday""#))
        let formats: [(String, String, String)] = [
            ("date", "2026-02-28", "2026-13-01"), ("date-time", "2026-11-25T10:00:00Z", "2026-11-25 10:00"),
            ("date", "2024-02-29", "2026-02-29"), ("date", "2000-02-29", "1900-02-29"), ("date", "2026-04-30", "2026-04-31"),
            // A leap second is 23:59:60 in UTC: 22:59:60 at an offset of -01:00, not 23:59:60 there.
            ("time", "22:59:60-01:00", "23:59:60-01:00"), ("time", "23:59:60Z", "24:00:00Z"),
            ("email", "ada@example.com", "ada"), ("email", "\"a b\"@example.com", "a..b@example.com"),
            ("hostname", "api.example.com", "-api.example.com"), ("hostname", "xn--bcher-kva.example", "ab--c.example"),
            ("json-pointer", "/a~1b/0", "/a~2"), ("relative-json-pointer", "1/a", "01/a"),
            ("duration", "P1Y2M3DT4H5M6S", "P1Y1D"), ("duration", "P2W", "PT"),
            ("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2eb8aa08-aa98-11ea-b4aa-73b441d1638"),
            ("ipv4", "192.168.0.1", "256.1.1.1"), ("ipv6", "::1", "12345::"), ("uri", "https://example.com/a?b", "not a uri"),
            ("regex", "^a+$", "[")]
        for (format, good, bad) in formats {
            #expect(try Self.valid(#"{"format": "\#(format)"}"#, JSON.string(good).serialized, formats: true), "\(format): \(good)")
            #expect(try !Self.valid(#"{"format": "\#(format)"}"#, JSON.string(bad).serialized, formats: true), "\(format): \(bad)")
        }
    }

    @Test func failuresNameBothPlacesAndAllAreListed() throws {
        let validator = JSONSchemaValidator(schema: try JSON.parse(#"""
            {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"properties": {"price": {"minimum": 1}}}}}}
            """#))
        let failures = validator.validate(try JSON.parse(#"{"items": [{"price": 2}, {"price": 0}, {"price": -1}]}"#))
        #expect(failures.map(\.instancePath) == ["$.items[1].price", "$.items[2].price"])
        #expect(failures.first?.schemaPath == "#/properties/items/items/properties/price/minimum")
        #expect(failures.first?.message == "expected at least 1, got 0")
        let many = JSONSchema.validate(try JSON.parse("[" + (0..<15).map { _ in "\"x\"" }.joined(separator: ",") + "]"),
                                       against: try JSON.parse(#"{"items": {"type": "integer"}}"#))
        #expect(many.count == 11 && many.last == "and 5 more")
        #expect(Context.member("odd name") == #"["odd name"]"# && Context.member("ok_1") == ".ok_1")
    }
}
