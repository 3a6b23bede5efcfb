/// The part of JSON Schema one provider's structured output reads, and how flow fits a step's
/// schema into it before sending.
///
/// Fitting only ever *widens* what the provider is asked for (a keyword it cannot read is left
/// out and written into the node's `description`, so the model still sees it) or rewrites it to
/// an equal form (`const: x` → `enum: [x]`, `oneOf` → `anyOf`). flow validates every answer
/// against the schema as written, so a widened request costs at most an `invalid` finish, never a
/// wrong pass. What cannot be fitted that way (the provider insists on closed objects and the
/// schema has an open one; a `false` root no answer can meet) is named in `inexpressible`, and
/// the adapter refuses the step or takes another route before anything is sent.
struct SchemaSubset: Sendable {
    /// The keywords the provider reads.
    let keywords: Set<String>
    /// The `format` values it knows; nil reads any.
    let formats: Set<String>?
    /// Every object must be closed (`additionalProperties: false`): flow closes those that say
    /// nothing, and an object that is open on purpose cannot be expressed.
    let closesObjects: Bool
    /// Whether `$ref` cycles (a tree, a linked list) can be expressed.
    let allowsRecursion: Bool
    /// Values of a kept keyword the provider still refuses (Anthropic's `minItems` above 1).
    let refusesValue: @Sendable (_ keyword: String, _ value: JSON) -> Bool

    /// A schema fitted to the subset.
    struct Fitted: Equatable {
        /// What goes on the wire.
        var schema: JSON
        /// Each keyword left out, as `#/properties/qty: minimum 1`.
        var leftOut: [String] = []
        /// Why the schema cannot be sent at all, empty when it can.
        var inexpressible: [String] = []
    }

    /// Annotations that change nothing the model must produce; left out without a note.
    static let annotations: Set<String> = ["$schema", "$comment", "$id", "examples", "default", "deprecated", "readOnly",
                                           "writeOnly", "$vocabulary", "contentMediaType", "contentEncoding", "contentSchema"]

    /// `schema` fitted to this subset.
    func fit(_ schema: JSON) -> Fitted {
        var fitted = Fitted(schema: .null)
        if schema == .bool(false) { fitted.inexpressible.append("the schema is `false`: no answer can match it") }
        fitted.schema = fit(schema, at: "#", into: &fitted)
        if !allowsRecursion, let cycle = SchemaReferences.cycle(in: schema) {
            fitted.inexpressible.append("\(cycle) refers back to itself (a recursive schema)")
        }
        return fitted
    }

    private func fit(_ node: JSON, at path: String, into fitted: inout Fitted) -> JSON {
        // `true` and `false` subschemas go as they are (every subset here reads them).
        guard case .object(let pairs) = node else { return node }
        var kept: [(String, JSON)] = []
        var notes: [String] = []
        func leave(_ key: String, _ value: JSON) {
            guard !Self.annotations.contains(key) else { return }
            let text = value.serialized
            notes.append(key + " " + (text.count > 80 ? String(text.prefix(77)) + "…" : text))
            fitted.leftOut.append("\(path): \(key)")
        }
        let hasAnyOf = pairs.contains { $0.0 == "anyOf" }
        for (key, value) in pairs {
            let here = path + "/" + Pointer.escape(key)
            if keywords.contains(key) {
                if key == "format", let format = value.string, let formats, !formats.contains(format) {
                    leave(key, value)
                } else if refusesValue(key, value) {
                    leave(key, value)
                } else {
                    kept.append((key, fitChildren(key, value, at: here, into: &fitted)))
                }
            } else if key == "const", keywords.contains("enum") {
                kept.append(("enum", .array([value])))
            } else if key == "oneOf", keywords.contains("anyOf"), !hasAnyOf {
                // Exactly-one widened to at-least-one; flow's own check keeps the difference.
                kept.append(("anyOf", fitChildren(key, value, at: here, into: &fitted)))
            } else {
                leave(key, value)
            }
        }
        if closesObjects, node["type"]?.string == "object" || node["properties"] != nil {
            close(node, at: path, kept: &kept, into: &fitted)
        }
        if !notes.isEmpty, keywords.contains("description") {
            let note = "Also: " + notes.joined(separator: "; ") + "."
            if let index = kept.firstIndex(where: { $0.0 == "description" }), let text = kept[index].1.string {
                kept[index].1 = .string(text + " " + note)
            } else {
                kept.append(("description", .string(note)))
            }
        }
        return .object(kept)
    }

    /// An object made closed, or named inexpressible when it is open on purpose.
    private func close(_ node: JSON, at path: String, kept: inout [(String, JSON)], into fitted: inout Fitted) {
        let additional = node["additionalProperties"]
        if node["properties"] == nil {
            fitted.inexpressible.append("\(path) is an object with no `properties` (any keys): the provider needs every object's keys listed")
        } else if node["patternProperties"] != nil || (additional != nil && additional != .bool(false)) {
            fitted.inexpressible.append("\(path) allows keys beyond its `properties`: the provider needs `additionalProperties: false`")
        } else if additional == nil {
            kept.append(("additionalProperties", .bool(false)))
        }
    }

    private func fitChildren(_ key: String, _ value: JSON, at path: String, into fitted: inout Fitted) -> JSON {
        if SchemaCheck.schemaValued.contains(key) {
            return fit(value, at: path, into: &fitted)
        }
        if SchemaCheck.schemaLists.contains(key), let items = value.array {
            return .array(items.enumerated().map { fit($1, at: path + "/\($0)", into: &fitted) })
        }
        if SchemaCheck.schemaMaps.contains(key), let pairs = value.objectPairs {
            return .object(pairs.map { ($0, fit($1, at: path + "/" + Pointer.escape($0), into: &fitted)) })
        }
        return value
    }
}

extension SchemaSubset {
    /// Gemini's `responseJsonSchema`, as its structured-output guide lists the supported keywords.
    static let gemini = SchemaSubset(
        keywords: ["$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items", "prefixItems",
                   "minItems", "maxItems", "minimum", "maximum", "anyOf", "properties", "additionalProperties", "required",
                   "propertyOrdering"],
        formats: ["date-time", "date", "time"], closesObjects: false, allowsRecursion: true, refusesValue: { _, _ in false })

    /// Anthropic's JSON outputs (`output_config.format`): basic types, `enum` of plain values,
    /// `const`, `anyOf`, `allOf`, local `$ref`, closed objects, the listed string formats, and
    /// `minItems` of 0 or 1; no numeric or length constraints and no recursion.
    static let anthropic = SchemaSubset(
        keywords: ["$defs", "$ref", "type", "enum", "const", "anyOf", "allOf", "properties", "required",
                   "additionalProperties", "items", "minItems", "format", "title", "description"],
        formats: ["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"],
        closesObjects: true, allowsRecursion: false,
        refusesValue: { key, value in
            switch key {
            case "minItems": return (value.int ?? 0) > 1
            case "enum": return value.array?.contains { $0.objectPairs != nil || $0.array != nil } ?? false
            default: return false
            }
        })

    /// OpenAI's strict mode, as its Structured Outputs guide lists the supported keywords.
    static let openAIStrict = SchemaSubset(
        keywords: ["$defs", "$ref", "type", "enum", "const", "anyOf", "properties", "required",
                   "additionalProperties", "items", "title", "description", "pattern", "format", "multipleOf", "maximum",
                   "exclusiveMaximum", "minimum", "exclusiveMinimum", "minItems", "maxItems"],
        formats: ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"],
        closesObjects: true, allowsRecursion: true, refusesValue: { _, _ in false })
}
