/// How each provider is asked for an answer of a JSON Schema's shape (a step's `schema:`):
/// - OpenAI (and compatible servers): `response_format: {type: json_schema, json_schema: {name,
///   schema, strict}}`; `strict: true` only when the schema fits strict mode's subset (every
///   object lists all its properties in `required` and sets `additionalProperties: false`),
///   else `strict: false` and flow's own validation is the check;
/// - Gemini: `generationConfig.responseMimeType: application/json` with `responseJsonSchema`;
/// - Anthropic: one forced tool whose `input_schema` is the schema (`tool_choice` names it); its
///   input is taken as the answer. Such a tool takes an object, so a schema whose root is not an
///   object is refused before anything is sent.
/// flow validates every answer itself afterwards, whatever the provider promised.
enum StructuredOutput {
    /// The forced tool's name, unlikely to meet a workflow's own tool.
    static let toolName = "flow_structured_answer"
    /// The name OpenAI's `json_schema` carries.
    static let schemaName = "answer"

    /// Whether `schema` fits OpenAI's strict structured-output subset.
    static func isStrict(_ schema: JSON) -> Bool {
        switch schema {
        case .object(let pairs):
            if schema["type"]?.string == "object" || schema["properties"] != nil {
                let names = Set(schema["properties"]?.objectPairs?.map(\.0) ?? [])
                let required = Set(schema["required"]?.array?.compactMap(\.string) ?? [])
                guard schema["additionalProperties"] == .bool(false), names == required else { return false }
            }
            return pairs.allSatisfy { key, value in
                ["const", "enum", "default", "examples"].contains(key) || isStrict(value)
            }
        case .array(let items): return items.allSatisfy(isStrict)
        default: return true
        }
    }

    /// OpenAI's `response_format` for `schema`.
    static func openAIFormat(_ schema: JSON) -> JSON {
        .object([("type", .string("json_schema")),
                 ("json_schema", .object([("name", .string(schemaName)), ("schema", schema), ("strict", .bool(isStrict(schema)))]))])
    }
}
