/// How each provider is asked for an answer of a JSON Schema's shape (a step's `schema:`):
/// - OpenAI: `response_format: {type: json_schema, json_schema: {name, schema, strict}}`;
///   `strict: true` only when the schema as written fits strict mode (every keyword in its
///   subset, the root an object, every object closed with all its properties required), else
///   `strict: false` with the schema unchanged, and flow's own validation is the check;
/// - compatible servers: as OpenAI (`json_schema`, never strict), or per `structured_output:` in
///   flow.config.yaml `json_object` (JSON mode) or `prompt` (nothing in the request), the schema
///   then given to the model in a system turn;
/// - Gemini: `generationConfig.responseMimeType: application/json` with `responseJsonSchema`,
///   fitted to the keywords Gemini reads (`SchemaSubset.gemini`);
/// - Anthropic: from Claude 4.5 on, JSON outputs (`output_config.format`) with the schema fitted
///   to Anthropic's subset; before that, or when the schema cannot be fitted (an open object, a
///   recursive `$ref`), one forced tool whose `input_schema` is the schema and whose input is
///   taken as the answer. Such a tool takes an object, so a non-object root is refused there.
/// flow validates every answer itself afterwards against the schema as written.
enum StructuredOutput {
    /// The forced tool's name, unlikely to meet a workflow's own tool.
    static let toolName = "flow_structured_answer"
    /// The name OpenAI's `json_schema` carries.
    static let schemaName = "answer"

    /// Whether `schema` fits OpenAI's strict structured-output subset as written.
    static func isStrict(_ schema: JSON) -> Bool {
        guard schema["type"]?.string == "object", schema["anyOf"] == nil else { return false }
        let fitted = SchemaSubset.openAIStrict.fit(schema)
        return fitted.leftOut.isEmpty && fitted.inexpressible.isEmpty && fitted.schema == schema && requiresEverything(schema)
    }

    /// Strict mode's other rule: every object lists all its properties in `required`.
    private static func requiresEverything(_ schema: JSON) -> Bool {
        switch schema {
        case .object(let pairs):
            if schema["type"]?.string == "object" || schema["properties"] != nil {
                let names = Set(schema["properties"]?.objectPairs?.map(\.0) ?? [])
                let required = Set(schema["required"]?.array?.compactMap(\.string) ?? [])
                guard names == required else { return false }
            }
            return pairs.allSatisfy { key, value in
                ["const", "enum", "default", "examples"].contains(key) || requiresEverything(value)
            }
        case .array(let items): return items.allSatisfy(requiresEverything)
        default: return true
        }
    }

    /// OpenAI's `response_format` for `schema`; compatible servers are never asked for strict mode.
    static func openAIFormat(_ schema: JSON, strictAllowed: Bool = true) -> JSON {
        .object([("type", .string("json_schema")),
                 ("json_schema", .object([("name", .string(schemaName)), ("schema", schema),
                                          ("strict", .bool(strictAllowed && isStrict(schema)))]))])
    }

    /// The system turn that gives a server without schema support the shape to answer in.
    static func instruction(_ schema: JSON) -> String {
        "Answer with one JSON value only, no prose and no code fence, that matches this JSON Schema:\n" + schema.serialized
    }

    /// The route an Anthropic step's schema takes.
    enum AnthropicRoute: Equatable {
        /// `output_config.format` with the fitted schema.
        case native(JSON)
        /// The forced tool, with the schema as written.
        case tool
    }

    /// Native JSON outputs when `model` has them (Claude 4.5 and later) and the schema fits.
    static func anthropicRoute(_ schema: JSON, model: String) -> AnthropicRoute {
        guard let version = AnthropicAdapter.claudeVersion(model), version >= (4, 5) else { return .tool }
        let fitted = SchemaSubset.anthropic.fit(schema)
        return fitted.inexpressible.isEmpty ? .native(fitted.schema) : .tool
    }
}

/// How a compatible server is asked for structured output (`structured_output:` in
/// flow.config.yaml), since servers differ in what they accept.
public enum CompatibleStructuredOutput: String, Sendable, CaseIterable {
    /// `response_format: {type: json_schema, …}` (vLLM, llama.cpp, Ollama, LM Studio).
    case jsonSchema = "json_schema"
    /// `response_format: {type: json_object}`, the schema in a system turn.
    case jsonObject = "json_object"
    /// Nothing in the request; the schema in a system turn.
    case prompt
}
