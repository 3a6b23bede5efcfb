import FlowSource

/// What is wrong with a schema itself, found before any value is checked: an unknown keyword
/// (with the nearest known one), a keyword's value of the wrong type, a pattern that does not
/// compile, a `$ref` that does not resolve or points outside the document, a `$schema` other than
/// 2020-12. Each problem carries the path to the offending key or value, so the workflow
/// decoder can point at its line and column. Pure.
public enum SchemaCheck {
    /// One problem: the path of keys and indices to it, the message and a hint.
    public struct Problem: Sendable, Equatable {
        /// Keys and indices from the schema's root to the offending value (or key, when `atKey`).
        public var path: [String]
        /// Whether the key itself is at fault (an unknown keyword) rather than its value.
        public var atKey: Bool
        public var message: String
        public var hint: String?
    }

    /// Whether a `$ref` names another schema file (`line.json`, `../common/defs.yaml#/$defs/x`).
    public static func isFileReference(_ reference: String) -> Bool {
        let document = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return !document.isEmpty && !document.contains("://") && [".json", ".yaml", ".yml"].contains { document.hasSuffix($0) }
    }

    /// The draft this validator implements.
    public static let draft = "https://json-schema.org/draft/2020-12/schema"

    static let schemaValued: Set<String> = ["not", "if", "then", "else", "items", "contains", "additionalProperties",
                                            "unevaluatedItems", "unevaluatedProperties", "propertyNames", "contentSchema"]
    static let schemaLists: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let schemaMaps: Set<String> = ["properties", "patternProperties", "$defs", "dependentSchemas"]
    static let counts: Set<String> = ["minLength", "maxLength", "minItems", "maxItems", "minContains", "maxContains", "minProperties", "maxProperties"]
    static let numbers: Set<String> = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]
    static let strings: Set<String> = ["$id", "$anchor", "$dynamicAnchor", "$comment", "title", "description", "format", "pattern",
                                       "contentMediaType", "contentEncoding", "$ref", "$dynamicRef", "$schema"]
    static let booleans: Set<String> = ["uniqueItems", "deprecated", "readOnly", "writeOnly"]
    static let values: Set<String> = ["const", "enum", "default", "examples", "required", "dependentRequired", "type", "$vocabulary"]
    /// Every keyword of the 2020-12 core, applicator, unevaluated, validation, format, content and
    /// meta-data vocabularies.
    public static let keywords = schemaValued.union(schemaLists).union(schemaMaps).union(counts).union(numbers).union(strings)
        .union(booleans).union(values)
    static let types: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

    /// Every problem of `schema`.
    public static func problems(_ schema: JSON) -> [Problem] {
        var problems: [Problem] = []
        let validator = JSONSchemaValidator(schema: schema)
        if let declared = schema["$schema"]?.string, declared.trimmingCharacters(in: ["#"]) != draft {
            // A custom metaschema is a document flow would have to fetch to know its vocabularies.
            let custom = (declared.hasPrefix("http://") || declared.hasPrefix("https://")) && !declared.contains("json-schema.org/")
            let message = custom ? "$schema '\(declared)' is a custom metaschema on the network; flow does not fetch schemas and validates draft 2020-12"
                : "flow validates JSON Schema draft 2020-12, not '\(declared)'"
            problems.append(Problem(path: ["$schema"], atKey: false, message: message, hint: "use $schema: \(draft), or leave it out"))
        }
        walk(schema, path: [], validator: validator, into: &problems)
        return problems
    }

    private static func walk(_ schema: JSON, path: [String], validator: JSONSchemaValidator, into problems: inout [Problem]) {
        func problem(_ key: String, _ message: String, hint: String? = nil, atKey: Bool = false) {
            problems.append(Problem(path: path + [key], atKey: atKey, message: message, hint: hint))
        }
        guard case .object(let pairs) = schema else {
            if case .bool = schema { return }
            problems.append(Problem(path: path, atKey: false, message: "a schema is an object or true/false, got \(SchemaValue.type(schema))", hint: nil))
            return
        }
        for (key, value) in pairs {
            let here = path + [key]
            switch key {
            case _ where schemaValued.contains(key):
                walk(value, path: here, validator: validator, into: &problems)
            case _ where schemaLists.contains(key):
                guard let items = value.array, !items.isEmpty else { problem(key, "'\(key)' takes a non-empty list of schemas"); continue }
                for (index, item) in items.enumerated() { walk(item, path: here + [String(index)], validator: validator, into: &problems) }
            case _ where schemaMaps.contains(key):
                guard let members = value.objectPairs else { problem(key, "'\(key)' takes a mapping of names to schemas"); continue }
                for (name, sub) in members {
                    if key == "patternProperties", !Regex.isValid(name, dialect: .ecma) {
                        problems.append(Problem(path: here + [name], atKey: true, message: "'\(name)' is not a valid regular expression", hint: nil))
                    }
                    walk(sub, path: here + [name], validator: validator, into: &problems)
                }
            case _ where counts.contains(key):
                if value.int.map({ $0 < 0 }) ?? true { problem(key, "'\(key)' takes a whole number of 0 or more, got \(value.serialized)") }
            case _ where numbers.contains(key):
                if value.double == nil || SchemaValue.type(value) == "boolean" { problem(key, "'\(key)' takes a number, got \(value.serialized)") }
                else if key == "multipleOf", (value.double ?? 0) <= 0 { problem(key, "'multipleOf' takes a number above 0, got \(value.serialized)") }
            case _ where strings.contains(key):
                guard let text = value.string else { problem(key, "'\(key)' takes a string, got \(value.serialized)"); continue }
                check(key, text, at: "#" + path.map { "/" + Pointer.escape($0) }.joined(), validator: validator, problem: problem)
            case _ where booleans.contains(key):
                if case .bool = value {} else { problem(key, "'\(key)' takes true or false, got \(value.serialized)") }
            case "type":
                let names = value.array?.map(\.string) ?? [value.string]
                if names.isEmpty || names.contains(where: { $0.map { !types.contains($0) } ?? true }) {
                    let wrong = names.compactMap { $0 }.first { !types.contains($0) } ?? value.serialized
                    problem(key, "'\(wrong)' is not a JSON Schema type", hint: Suggestion.hint(for: wrong, in: types.sorted()) ?? "types: " + types.sorted().joined(separator: ", "))
                }
            case "required":
                if value.array?.allSatisfy({ $0.string != nil }) != true { problem(key, "'required' takes a list of property names") }
            case "dependentRequired":
                if value.objectPairs?.allSatisfy({ $0.1.array?.allSatisfy { $0.string != nil } == true }) != true {
                    problem(key, "'dependentRequired' maps a property to the list of properties it requires")
                }
            case "enum":
                if value.array == nil { problem(key, "'enum' takes a list of values") }
            case _ where values.contains(key):
                break
            default:
                problem(key, "unknown keyword '\(key)' in the schema", hint: Suggestion.hint(for: key, in: keywords.sorted())
                        ?? "JSON Schema 2020-12 keywords only; annotations of your own go in a '$comment' or 'description'", atKey: true)
            }
        }
    }

    private static func check(_ key: String, _ text: String, at pointer: String, validator: JSONSchemaValidator,
                              problem: (String, String, String?, Bool) -> Void) {
        switch key {
        case "pattern":
            if !Regex.isValid(text, dialect: .ecma) { problem(key, "'\(text)' is not a valid regular expression", nil, false) }
        case "$ref", "$dynamicRef":
            switch validator.resources.target(of: text, at: pointer) {
            case .found:
                break
            case .file:
                // Another schema file: the loader reads it and bundles it into this schema.
                break
            case .remote(let document):
                let shown = document == text || text.hasPrefix("http") ? "'\(text)'" : "'\(text)' (\(document))"
                problem(key, "\(key) \(shown) is on the network; flow does not fetch schemas",
                        "copy the schema into this one under $defs with its $id, or into a project file, and refer to it there", false)
            case .missing:
                problem(key, "\(key) '\(text)' does not resolve in this schema", "refer to $defs (#/$defs/name), an $anchor (#name) or '#'", false)
            }
        default:
            break
        }
    }
}
