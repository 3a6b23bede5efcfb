/// `flow schema`: a JSON Schema (2020-12) of the workflow format and of `flow.config.yaml`, for
/// editors that validate and complete YAML as it is typed (yaml-language-server reads it from a
/// `# yaml-language-server: $schema=…` line). The keys of each object come from the decoder's
/// own tables (`WorkflowDecoder.stepKeys`…), and every key needs a description here, so a key
/// added to the decoder without one fails a test rather than drifting out of the schema. What
/// a schema cannot say (a goto names a step, a template's variables are defined) stays with
/// `flow validate`, which the language server (`flow lsp`) runs as the user types. Pure.
public enum FormatSchema {
    /// The schema's `$id`: where it says it lives (nothing is fetched from there).
    public static let id = "https://flow.dev/schema/workflow-1.json"

    /// The workflow format, version 1.
    public static var workflow: JSON {
        .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string(id)),
            ("title", .string("flow workflow")),
            ("description", .string("A prompt workflow run by `flow run` (docs/workflow-format.md).")),
            ("type", .string("object")),
            ("required", .array([.string("flow"), .string("steps")])),
            ("properties", properties(WorkflowDecoder.topLevelKeys, FormatKeys.top)),
            ("additionalProperties", .bool(false)),
            ("$defs", .object(definitions)),
        ])
    }

    /// `flow.config.yaml`.
    public static var config: JSON {
        let provider = closed(ProjectConfig.providerKeys, FormatKeys.provider, required: ["base_url"])
        let rate = closed(["rpm", "tpm"], ["rpm": integer(minimum: 1, "Requests per minute, never exceeded."),
                                           "tpm": integer(minimum: 1, "Input tokens per minute, never exceeded.")])
        return .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://flow.dev/schema/config-1.json")),
            ("title", .string("flow.config.yaml")),
            ("type", .string("object")),
            ("properties", .object([
                ("providers", described(.object([("type", .string("object")), ("additionalProperties", provider)]), FormatKeys.config["providers"]!)),
                ("key_files", described(.object([("type", .string("object")), ("additionalProperties", .object([("type", .string("string"))]))]), FormatKeys.config["key_files"]!)),
                ("rate_limits", described(.object([("type", .string("object")), ("additionalProperties", rate)]), FormatKeys.config["rate_limits"]!)),
                ("mcp", FormatKeys.top["mcp"]!),
            ])),
            ("additionalProperties", .bool(false)),
        ])
    }

    // MARK: Definitions

    static var definitions: [(String, JSON)] {
        [
            ("template", .object([
                ("description", .string("Mustache text, or {file: path} relative to the workflow file, or {text: …}; strict: false renders missing names empty.")),
                ("anyOf", .array([.object([("type", .string("string"))]),
                                  closed(["file", "text", "strict", "cache"], FormatKeys.template)])),
            ])),
            ("model", .object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9_.-]+/.+$")),
                               ("description", .string("provider/model, e.g. openai/gpt-4o-mini, anthropic/claude-haiku-4-5, mock/x."))])),
            ("params", closed(WorkflowDecoder.paramKeys, FormatKeys.params)),
            ("step", step),
            ("action", action),
            ("branches", .object([
                ("type", .string("object")),
                ("propertyNames", enumeration(BranchReason.allCases.map(\.rawValue))),
                ("additionalProperties", .object([("anyOf", .array([ref("action"), .object([("type", .string("array")), ("items", ref("action"))])]))])),
                ("description", .string("What follows each finish reason: an action, or a list of cases tried in order ({if: condition, goto: id}).")),
            ])),
            ("map", closed(WorkflowDecoder.mapKeys, FormatKeys.map, required: ["over", "as"])),
            ("userPart", .object([("anyOf", .array([
                ref("template"),
                closed(["image"], ["image": closed(["file", "url", "detail"], FormatKeys.media)], required: ["image"]),
                closed(["document"], ["document": closed(["file", "url"], FormatKeys.media)], required: ["document"]),
            ]))])),
            ("testCase", closed(WorkflowDecoder.caseKeys, FormatKeys.testCase)),
            ("expectation", closed(WorkflowDecoder.expectationKeys + ["format_assertion", "choices"], FormatKeys.expectation)),
            ("variant", closed(WorkflowDecoder.variantKeys, FormatKeys.variant, required: ["name"])),
        ]
    }

    /// A step: a model step (with `user`) or a calling step (with `call`).
    static var step: JSON {
        var schema = closed(WorkflowDecoder.stepKeys, FormatKeys.step, required: ["id"])
        if case .object(var pairs) = schema {
            pairs.append(("anyOf", .array([.object([("required", .array([.string("user")]))]),
                                           .object([("required", .array([.string("call")]))])])))
            schema = .object(pairs)
        }
        return schema
    }

    /// `next`, `end`, `fail`, a step id, or one of `{goto|fail|continue|retry|tools: …}` with an `if`.
    static var action: JSON {
        var keys = FormatKeys.action
        keys["if"] = .object([("description", .string("The condition a case needs: matches, contains, equals, json, confidence_below, not."))])
        keys["params"] = ref("params")
        keys["model"] = ref("model")
        return .object([("anyOf", .array([
            .object([("type", .string("string")), ("description", .string("next, end, fail, or the id of the step to go to."))]),
            closed(WorkflowDecoder.actionKeys + ["if", "params", "model"], keys),
        ]))])
    }

    // MARK: Building blocks

    /// An object with exactly `keys`, each described by `schemas` (a key without one is a
    /// programming error, caught by the schema's tests).
    static func closed(_ keys: [String], _ schemas: [String: JSON], required: [String] = []) -> JSON {
        var pairs: [(String, JSON)] = [("type", .string("object")), ("properties", properties(keys, schemas)), ("additionalProperties", .bool(false))]
        if !required.isEmpty { pairs.append(("required", .array(required.map(JSON.string)))) }
        return .object(pairs)
    }

    static func properties(_ keys: [String], _ schemas: [String: JSON]) -> JSON {
        .object(keys.map { ($0, schemas[$0] ?? .object([("description", .string("(undescribed)"))])) })
    }

    static func ref(_ name: String) -> JSON { .object([("$ref", .string("#/$defs/" + name))]) }

    static func enumeration(_ words: [String]) -> JSON { .object([("enum", .array(words.map(JSON.string)))]) }

    static func described(_ schema: JSON, _ text: String) -> JSON {
        guard case .object(let pairs) = schema else { return schema }
        return .object(pairs + [("description", .string(text))])
    }

    static func text(_ description: String) -> JSON { .object([("type", .string("string")), ("description", .string(description))]) }
    static func flag(_ description: String) -> JSON { .object([("type", .string("boolean")), ("description", .string(description))]) }
    static func integer(minimum: Int, maximum: Int? = nil, _ description: String) -> JSON {
        .object([("type", .string("integer")), ("minimum", .int(minimum))] + (maximum.map { [("maximum", JSON.int($0))] } ?? [])
                + [("description", .string(description))])
    }
    static func number(minimum: Double, maximum: Double, _ description: String) -> JSON {
        .object([("type", .string("number")), ("minimum", .double(minimum)), ("maximum", .double(maximum)), ("description", .string(description))])
    }
    static func words(_ words: [String], _ description: String) -> JSON {
        .object([("enum", .array(words.map(JSON.string))), ("description", .string(description))])
    }
}
