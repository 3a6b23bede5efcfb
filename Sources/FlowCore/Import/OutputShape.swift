import FlowYAML

/// The answer shape an imported prompt asks for, as a flow step says it: `response_format:
/// {type: json_object}` is `parse: json`; `{type: json_schema, json_schema: {schema}}` (OpenAI's
/// form, Prompty 1), `responseFormat: json_schema` + `jsonSchema` (GitHub Models) and Prompty 2's
/// `outputs:` list are `schema:`. The stand-in answer a mock case gives then fits the shape.
struct OutputShape {
    /// Step lines, indented for a step of `steps:`.
    var stepLines: [String] = []
    /// The mock answer that stands in for the model's, as YAML text.
    var standIn = YAMLText.quoted("(a stand-in answer: run with --live to ask the model)")

    init() {}

    init(responseFormat: Node?, outputs: Node?, note: (Int, String) -> Void) {
        if let format = responseFormat {
            let type = format.scalar?.text ?? format["type"]?.scalar?.text ?? "text"
            switch type {
            case "text": break
            case "json_object": json()
            case "json_schema":
                guard let schema = format["json_schema"]?["schema"] else {
                    note(format.mark.line, "response_format json_schema without a schema: the answer is parsed as JSON, unchecked")
                    json()
                    return
                }
                self = OutputShape(schema: schema)
            default: note(format.mark.line, "response_format '\(type)' has no flow equivalent and was not carried over")
            }
            return
        }
        guard let outputs else { return }
        // Prompty 2 sends its outputs as a strict object schema, every property required.
        var properties: [(String, String)] = []
        let entries: [(String, Node)] = outputs.sequence.map { $0.map { ($0["name"]?.scalar?.text ?? "", $0) } }
            ?? (outputs.mapping ?? []).map { ($0.key.scalar?.text ?? "", $0.value) }
        for (name, spec) in entries {
            let kind = (spec["kind"] ?? spec["type"])?.scalar?.text ?? "string"
            let type = ["string": "string", "integer": "integer", "float": "number", "number": "number", "boolean": "boolean",
                        "array": "array", "object": "object"][kind]
            guard let type, !name.isEmpty else {
                note(spec.mark.line, "output '\(name)' of kind '\(kind)' has no JSON Schema type flow can write; the outputs were not carried over")
                return
            }
            properties.append((name, type))
        }
        let schema = "{type: object, additionalProperties: false, required: [" + properties.map { YAMLText.quoted($0.0) }.joined(separator: ", ")
            + "], properties: {" + properties.map { YAMLText.quoted($0.0) + ": {type: " + $0.1 + "}" }.joined(separator: ", ") + "}}"
        stepLines = ["    schema: " + schema]
        standIn = YAMLText.quoted("{" + properties.map { JSON.string($0.0).serialized + ": " + Self.example(type: $0.1) }.joined(separator: ", ") + "}")
    }

    init(schema: Node) {
        stepLines = ["    schema: " + YAMLText.value(schema)]
        standIn = YAMLText.quoted(Self.instance(schema))
    }

    mutating func json() {
        stepLines = ["    parse: json"]
        standIn = YAMLText.quoted("{}")
    }

    static func example(type: String) -> String {
        ["string": "\"\"", "integer": "0", "number": "0", "boolean": "false", "array": "[]", "object": "{}", "null": "null"][type] ?? "null"
    }

    /// A small JSON value the schema accepts: its `const`, first `enum` value, or each required
    /// property filled by type. Enough for the offline case to exercise the step.
    static func instance(_ schema: Node) -> String {
        if let constant = schema["const"] { return jsonText(constant) }
        if let first = schema["enum"]?.sequence?.first { return jsonText(first) }
        let type = schema["type"]?.scalar?.text ?? schema["type"]?.sequence?.first?.scalar?.text ?? (schema["properties"] != nil ? "object" : "null")
        switch type {
        case "object":
            let required = (schema["required"]?.sequence ?? []).compactMap { $0.scalar?.text }
            return "{" + required.map { name in
                JSON.string(name).serialized + ": " + (schema["properties"]?[name].map(instance) ?? "null")
            }.joined(separator: ", ") + "}"
        case "array":
            let minimum = Int(schema["minItems"]?.scalar?.text ?? "0") ?? 0
            return "[" + Array(repeating: schema["items"].map(instance) ?? "null", count: minimum).joined(separator: ", ") + "]"
        case "string":
            let minimum = Int(schema["minLength"]?.scalar?.text ?? "0") ?? 0
            return JSON.string(String(repeating: "x", count: minimum)).serialized
        case "integer", "number":
            return schema["minimum"]?.scalar?.text ?? "0"
        default: return example(type: type)
        }
    }

    static func jsonText(_ node: Node) -> String {
        switch node.content {
        case .scalar(let scalar):
            if scalar.style == .plain, Double(scalar.text) != nil || ["true", "false", "null"].contains(scalar.text) { return scalar.text }
            return JSON.string(scalar.text).serialized
        case .sequence(let items): return "[" + items.map(jsonText).joined(separator: ", ") + "]"
        case .mapping(let pairs): return "{" + pairs.map { JSON.string($0.key.scalar?.text ?? "").serialized + ": " + jsonText($0.value) }.joined(separator: ", ") + "}"
        }
    }
}
