import Foundation
import FlowTestSupport
import Testing
@testable import FlowCore

/// `schema:` on a step: each provider is asked for structured output in its own documented
/// form, the answer is validated, a misfit is `invalid` and a retry tells the model what was wrong.
@Suite struct SchemaStepTests {
    static let schema = try! JSON.parse(#"{"type": "object", "properties": {"name": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}, "required": ["name", "qty"], "additionalProperties": false}"#)
    static func request() -> ChatRequest {
        var request = ChatRequest(model: "m", messages: [ChatMessage(.user, "Extract.")], params: SamplingParams(maxTokens: 100))
        request.responseSchema = schema
        return request
    }

    @Test func goldenStructuredOutputBodies() throws {
        let openAI = OpenAIAdapter().body(for: Self.request())
        #expect(openAI["response_format"] == .object([("type", .string("json_schema")), ("json_schema", .object([
            ("name", .string("answer")), ("schema", Self.schema), ("strict", .bool(true))]))]))
        var loose = Self.request()
        loose.responseSchema = try JSON.parse(#"{"type": "object", "properties": {"a": {}}}"#)
        #expect(OpenAIAdapter().body(for: loose)["response_format"]?["json_schema"]?["strict"] == .bool(false), "strict only for strict's subset")
        let gemini = try GeminiAdapter().body(for: Self.request())
        #expect(gemini["generationConfig"]?["responseMimeType"] == .string("application/json"))
        #expect(gemini["generationConfig"]?["responseJsonSchema"] == Self.schema)
        let anthropic = try AnthropicAdapter().body(for: Self.request())
        #expect(anthropic["tool_choice"] == .object([("type", .string("tool")), ("name", .string("flow_structured_answer"))]))
        #expect(anthropic["tools"]?.array?.last?["input_schema"] == Self.schema)
        // Its answer is the tool's input.
        let answer = try AnthropicAdapter().decode(HTTPResponse(status: 200, body: Array(#"{"id": "msg", "type": "message", "role": "assistant", "model": "claude-haiku-4-5", "content": [{"type": "tool_use", "id": "toolu_1", "name": "flow_structured_answer", "input": {"name": "bolt", "qty": 3}}], "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}}"#.utf8)))
        #expect(answer.content == #"{"name":"bolt","qty":3}"# && answer.finishReason.name == "stop" && answer.toolCalls.isEmpty)
        // Claude 4.5 and later: JSON outputs, the schema fitted to Anthropic's subset (minimum described).
        var native = Self.request()
        native.model = "claude-haiku-4-5"
        let nativeBody = try AnthropicAdapter().body(for: native)
        #expect(nativeBody["tools"] == nil && nativeBody["tool_choice"] == nil)
        #expect(nativeBody["output_config"]?["format"]?["type"] == .string("json_schema"))
        #expect(nativeBody["output_config"]?["format"]?["schema"]?["properties"]?["qty"]
                == .object([("type", .string("integer")), ("description", .string("Also: minimum 1."))]))
        let nativeAnswer = try AnthropicAdapter().decode(HTTPResponse(status: 200, body: Array(#"{"id": "msg", "type": "message", "role": "assistant", "model": "claude-haiku-4-5", "content": [{"type": "text", "text": "{\"name\": \"bolt\", \"qty\": 3}"}], "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 5}}"#.utf8)))
        #expect(nativeAnswer.content == #"{"name": "bolt", "qty": 3}"# && nativeAnswer.finishReason == .stop(raw: "end_turn"))
        // Compatible servers: strict is never asked; JSON mode or a prompt where configured.
        #expect(OpenAIAdapter(providerName: "local", baseURL: "http://h/v1").body(for: Self.request())["response_format"]?["json_schema"]?["strict"] == .bool(false))
        let jsonMode = OpenAIAdapter(providerName: "local", baseURL: "http://h/v1", structuredOutput: .jsonObject).body(for: Self.request())
        #expect(jsonMode["response_format"] == .object([("type", .string("json_object"))]))
        #expect(jsonMode["messages"]?[0]?["role"] == .string("system")
                && jsonMode["messages"]?[0]?["content"]?.string?.hasSuffix(Self.schema.serialized) == true)
        let prompted = OpenAIAdapter(providerName: "local", baseURL: "http://h/v1", structuredOutput: .prompt).body(for: Self.request())
        #expect(prompted["response_format"] == nil && prompted["messages"]?.array?.count == 2)
        var list = Self.request()
        list.responseSchema = try JSON.parse(#"{"type": "array"}"#)
        #expect(throws: ProviderError.self) { try AnthropicAdapter().check(list) }
    }

    @Test func aMisfitIsInvalidAndTheRetryTellsTheModelWhy() throws {
        let calls = CallCounter()
        let server = try StubServer { _ in
            StubServer.Response(body: OpenAIWire.completion(content: calls.next() == 1 ? #"{"name": "bolt", "qty": 0}"# : #"{"name": "bolt", "qty": 2}"#))
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("w.yaml", """
            flow: 1
            model: openai/gpt-4o-mini
            steps:
              - id: extract
                user: "Extract the order."
                schema: {type: object, properties: {name: {type: string}, qty: {type: integer, minimum: 1}}, required: [name, qty], additionalProperties: false}
                save: order
                on: {invalid: {retry: 1}}
              - id: confirm
                user: "Confirm {{order.qty}} x {{order.name}}."
            """)
        let result = try FlowBinary.run(["run", "w.yaml", "--json"], in: directory.path, environment: [
            "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.baseURL + "/v1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.count == 3)
        let first = try JSON.parse(server.requests[0].body)
        #expect(first["response_format"]?["json_schema"]?["strict"] == .bool(true))
        let retry = try JSON.parse(server.requests[1].body)["messages"]?.array ?? []
        let told = retry.last?["content"]?.string ?? ""
        #expect(told.contains("does not fit the required JSON schema") && told.contains("$.qty: expected at least 1, got 0"), "\(told)")
        let confirm = try JSON.parse(server.requests[2].body)["messages"]?.array?.last?["content"]?.string
        #expect(confirm == "Confirm 2 x bolt.", "save holds the parsed value")
        // Without a retry, the misfit fails the step and says why.
        try directory.write("w2.yaml", """
            flow: 1
            model: mock/m
            steps: [{id: extract, user: x, schema: {type: object, required: [qty]}}]
            mock: ['{"name": "bolt"}']
            """)
        let failed = try FlowBinary.run(["run", "w2.yaml"], in: directory.path)
        #expect(failed.status == 1 && failed.stderr.contains("step 'extract' has a schema and its answer does not fit: the answer does not match the step's schema: $: missing required property 'qty'"), "\(failed.stderr)")
    }

    @Test func aCompatibleServerTakesTheFormItIsConfiguredFor() throws {
        let server = try StubServer { _ in StubServer.Response(body: OpenAIWire.completion(content: #"{"name": "bolt", "qty": 2}"#, model: "llama3.2")) }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        try directory.write("flow.config.yaml", """
            providers:
              local:
                base_url: \(server.baseURL)/v1
                structured_output: json_object
            """)
        try directory.write("w.yaml", """
            flow: 1
            model: local/llama3.2
            system: "You extract orders."
            steps:
              - {id: extract, user: "Extract.", schema: {type: object, required: [qty]}}
            """)
        let result = try FlowBinary.run(["run", "w.yaml"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let body = try JSON.parse(try #require(server.requests.first).body)
        #expect(body["response_format"] == .object([("type", .string("json_object"))]))
        let roles = body["messages"]?.array?.compactMap { $0["role"]?.string }
        #expect(roles == ["system", "system", "user"], "the schema's instruction follows the workflow's system prompt")
        #expect(body["messages"]?[1]?["content"]?.string?.contains(#"{"type":"object","required":["qty"]}"#) == true)
        // An unknown form is refused at its place in the config.
        try directory.write("flow.config.yaml", "providers:\n  local:\n    base_url: http://127.0.0.1:9/v1\n    structured_output: grammar\n")
        let refused = try FlowBinary.run(["validate", "w.yaml"], in: directory.path)
        #expect(refused.status == 65 && refused.stderr.contains("flow.config.yaml:4:24") && refused.stderr.contains("'structured_output' must be one of: json_schema, json_object, prompt"), "\(refused.stderr)")
    }
}
