import Testing
@testable import FlowCore

/// Fitting a step's schema to what each provider's structured output reads: keywords it cannot
/// read are left out and described, equal rewrites are made, and what cannot be sent is named.
@Suite struct SchemaSubsetTests {
    func schema(_ text: String) throws -> JSON { try JSON.parse(text) }

    @Test func geminiLeavesOutWhatItCannotReadAndDescribesIt() throws {
        let fitted = SchemaSubset.gemini.fit(try schema(#"""
            {"type": "object", "properties": {
              "code": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO code"},
              "kind": {"const": "order"},
              "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
              "when": {"type": "string", "format": "email"}},
             "required": ["code"], "$comment": "not sent"}
            """#))
        #expect(fitted.inexpressible.isEmpty)
        #expect(fitted.schema["properties"]?["code"] == .object([("type", .string("string")), ("description", .string(#"ISO code Also: pattern "^[A-Z]{3}$"."#))]))
        #expect(fitted.schema["properties"]?["kind"] == .object([("enum", .array([.string("order")]))]), "const is an enum of one")
        #expect(fitted.schema["properties"]?["either"]?["anyOf"]?.array?.count == 2, "oneOf is widened to anyOf")
        #expect(fitted.schema["properties"]?["when"]?["format"] == nil, "formats Gemini does not know are left out")
        #expect(fitted.schema["$comment"] == nil && fitted.schema["description"] == nil, "annotations go without a note")
        #expect(fitted.leftOut == ["#/properties/code: pattern", "#/properties/when: format"])
        // What Gemini reads goes unchanged.
        let plain = try schema(#"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"], "additionalProperties": false}"#)
        #expect(SchemaSubset.gemini.fit(plain).schema == plain)
        #expect(SchemaSubset.gemini.fit(.bool(false)).inexpressible.count == 1)
    }

    @Test func anthropicClosesObjectsAndNamesWhatItCannotExpress() throws {
        let fitted = SchemaSubset.anthropic.fit(try schema(#"""
            {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "maxLength": 9}, "minItems": 2}}}
            """#))
        #expect(fitted.inexpressible.isEmpty)
        #expect(fitted.schema["additionalProperties"] == .bool(false), "an object that says nothing is closed")
        #expect(fitted.schema["properties"]?["tags"]?["minItems"] == nil && fitted.schema["properties"]?["tags"]?["description"] == .string("Also: minItems 2."))
        #expect(fitted.schema["properties"]?["tags"]?["items"]?["maxLength"] == nil)
        let open = SchemaSubset.anthropic.fit(try schema(#"{"type": "object", "properties": {"scores": {"type": "object", "additionalProperties": {"type": "number"}}}}"#))
        #expect(open.inexpressible == ["#/properties/scores is an object with no `properties` (any keys): the provider needs every object's keys listed"])
        let tree = try schema(##"{"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}}, "required": ["name"], "additionalProperties": false}"##)
        #expect(SchemaSubset.anthropic.fit(tree).inexpressible == ["#/properties/children/items/$ref refers back to itself (a recursive schema)"])
    }

    @Test func referenceCyclesAreFoundThroughDefinitions() throws {
        #expect(SchemaReferences.cycle(in: try schema(##"{"$defs": {"a": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/a"}, "y": {"$ref": "#/$defs/a"}}}"##)) == nil,
                "a definition used twice is not a cycle")
        #expect(SchemaReferences.cycle(in: try schema(##"{"$defs": {"a": {"properties": {"b": {"$ref": "#/$defs/b"}}}, "b": {"items": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"}"##))
                == "#/$defs/b/items/$ref", "a mutual recursion")
        #expect(SchemaReferences.cycle(in: try schema(##"{"$ref": "#/$defs/missing"}"##)) == "#/$ref", "unresolvable counts as a cycle")
    }

    @Test func openAIIsStrictOnlyForTheSchemaAsWritten() throws {
        let strict = try schema(#"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"], "additionalProperties": false}"#)
        #expect(StructuredOutput.isStrict(strict))
        for loose in [
            #"{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}"#,  // not closed
            #"{"type": "object", "properties": {"n": {"type": "integer"}}, "additionalProperties": false}"#,  // n optional
            #"{"type": "object", "properties": {"n": {"type": "integer", "not": {"const": 3}}}, "required": ["n"], "additionalProperties": false}"#,
            #"{"type": "array", "items": {"type": "integer"}}"#,  // root not an object
        ] {
            #expect(!StructuredOutput.isStrict(try schema(loose)), "\(loose)")
        }
    }

    @Test func anthropicRouteByModelAndSchema() throws {
        let closed = try schema(#"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"]}"#)
        guard case .native(let sent) = StructuredOutput.anthropicRoute(closed, model: "claude-sonnet-4-5-20250929") else {
            Issue.record("Claude 4.5 takes the schema natively"); return
        }
        #expect(sent["additionalProperties"] == .bool(false) && sent["properties"]?["n"]?["minimum"] == nil)
        #expect(StructuredOutput.anthropicRoute(closed, model: "claude-3-7-sonnet-latest") == .tool, "older models use the forced tool")
        let open = try schema(#"{"type": "object", "additionalProperties": {"type": "string"}}"#)
        #expect(StructuredOutput.anthropicRoute(open, model: "claude-opus-4-6") == .tool, "an open object falls back to the tool")
        // A list root has no tool route: refused on older models, native on newer ones.
        let list = try schema(#"{"type": "array", "items": {"type": "string"}}"#)
        var request = ChatRequest(model: "claude-3-5-haiku-latest", messages: [ChatMessage(.user, "x")], params: SamplingParams(maxTokens: 10))
        request.responseSchema = list
        #expect(throws: ProviderError.self) { try AnthropicAdapter().check(request) }
        request.model = "claude-haiku-4-5"
        try AnthropicAdapter().check(request)
        let body = try AnthropicAdapter().body(for: request)
        #expect(body["output_config"] == .object([("format", .object([("type", .string("json_schema")), ("schema", list)]))]))
        #expect(body["tools"] == nil && body["tool_choice"] == nil)
    }

    @Test func aStreamedStructuredToolInputIsTheAnswer() throws {
        var decoder = AnthropicStreamDecoder()
        var shown = ""
        let events: [(String, String)] = [
            ("message_start", #"{"type":"message_start","message":{"model":"claude-3-5-haiku-20241022","usage":{"input_tokens":20,"output_tokens":1}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"flow_structured_answer","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"name\": \"bo"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"lt\", \"qty\": 3}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]
        for (name, data) in events { shown += try decoder.consume(SSEEvent(name: name, data: data)) }
        let response = try decoder.finish()
        #expect(shown == #"{"name": "bolt", "qty": 3}"# && response.content == shown)
        #expect(response.finishReason == .stop(raw: "tool_use") && response.usage.outputTokens == 12)
    }
}
