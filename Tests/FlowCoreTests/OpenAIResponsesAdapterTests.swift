import FlowTestSupport
import Testing
@testable import FlowCore

/// The Responses adapter against bodies written from OpenAI's documented Responses examples.
@Suite struct OpenAIResponsesAdapterTests {
    let adapter = OpenAIResponsesAdapter(baseURL: "https://api.example.test/v1/")

    @Test func encodesHistoryAsInputItems() throws {
        let call = ToolCall(id: "call_1", name: "get_weather", arguments: .object([("city", .string("Paris"))]))
        var request = ChatRequest(model: "gpt-5", messages: [
            ChatMessage(.system, "Be brief."), ChatMessage(.user, "Weather in Paris?"),
            ChatMessage(.assistant, "", toolCalls: [call]),
            ChatMessage(.tool, "", toolResults: [ToolResult(callId: "call_1", name: "get_weather", content: "18 C")]),
        ], params: SamplingParams(maxTokens: 300, reasoning: Reasoning(effort: .low)), prefill: "Answer:",
           tools: [ToolSpec(name: "get_weather", description: "The weather.", parameters: .object([("type", .string("object"))]))])
        request.promptCacheKey = "weather"
        let http = try adapter.encode(request, apiKey: "sk-test")
        #expect(http.url == "https://api.example.test/v1/responses")
        #expect(http.headers == [Header("Content-Type", "application/json"), Header("Authorization", "Bearer sk-test")])
        #expect(String(decoding: http.body, as: UTF8.self) == #"{"model":"gpt-5","instructions":"Be brief.","input":[{"role":"user","content":"Weather in Paris?"},{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},{"type":"function_call_output","call_id":"call_1","output":"18 C"},{"role":"assistant","content":"Answer:"}],"max_output_tokens":300,"reasoning":{"effort":"low"},"tools":[{"type":"function","name":"get_weather","description":"The weather.","parameters":{"type":"object"}}],"prompt_cache_key":"weather","store":false}"#)
        var schema = ChatRequest(model: "gpt-5", messages: [ChatMessage(.user, "x")])
        schema.responseSchema = .object([("type", .string("object")), ("properties", .object([("a", .object([("type", .string("string"))]))])),
                                         ("required", .array([.string("a")])), ("additionalProperties", .bool(false))])
        #expect(adapter.body(for: schema)["text"]?.serialized == #"{"format":{"type":"json_schema","name":"answer","schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false},"strict":true}}"#)
    }

    static func body(_ status: String, output: String, extra: String = "") -> HTTPResponse {
        HTTPResponse(status: 200, body: Array(#"""
            {"id":"resp_1","object":"response","created_at":1741476542,"status":"\#(status)",\#(extra)"model":"gpt-5-2025-08-07",
             "output":[\#(output)],
             "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":10},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":123}}
            """#.utf8))
    }

    static let text = #"{"type":"reasoning","id":"rs_1","summary":[]},{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"In a quiet forest.","annotations":[]}]}"#

    @Test func decodesEachWayAResponseEnds() throws {
        let done = try adapter.decode(Self.body("completed", output: Self.text))
        #expect(done.content == "In a quiet forest." && done.finishReason == .stop(raw: "completed"))
        #expect(done.usage == Usage(inputTokens: 36, outputTokens: 87, cachedInputTokens: 10, reasoningTokens: 64))
        let call = try adapter.decode(Self.body("completed", output: #"{"type":"function_call","id":"fc_1","call_id":"call_9","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}"#))
        #expect(call.finishReason == .toolCalls(raw: "completed") && call.toolCalls == [ToolCall(id: "call_9", name: "get_weather", arguments: .object([("city", .string("Paris"))]))])
        let cut = try adapter.decode(Self.body("incomplete", output: Self.text, extra: #""incomplete_details":{"reason":"max_output_tokens"},"#))
        #expect(cut.finishReason == .length(raw: "incomplete: max_output_tokens"))
        let filtered = try adapter.decode(Self.body("incomplete", output: "", extra: #""incomplete_details":{"reason":"content_filter"},"#))
        #expect(filtered.finishReason == .contentFilter(raw: "incomplete: content_filter"))
        let refused = try adapter.decode(Self.body("completed", output: #"{"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"I can't help with that."}]}"#))
        #expect(refused.finishReason == .contentFilter(raw: "refusal") && refused.content == "I can't help with that.")
        #expect(throws: ProviderError.self) { try adapter.decode(Self.body("failed", output: "", extra: #""error":{"code":"server_error","message":"boom"},"#)) }
        do {
            _ = try adapter.decode(HTTPResponse(status: 400, body: Array(#"{"error":{"message":"Unsupported parameter: 'stop'.","type":"invalid_request_error","code":"unsupported_parameter"}}"#.utf8)))
            Issue.record("an HTTP 400 was decoded as an answer")
        } catch {
            #expect(error.message == "OpenAI answered HTTP 400: Unsupported parameter: 'stop'. (unsupported_parameter)" && error.retryable == false)
        }
    }

    @Test func streamsTextAndReadsTheClosingResponse() throws {
        var decoder = OpenAIResponsesStreamDecoder()
        var shown = ""
        let completed = String(decoding: Self.body("completed", output: Self.text).body, as: UTF8.self)
        let events = [
            ("response.created", #"{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}"#),
            ("response.output_text.delta", #"{"type":"response.output_text.delta","item_id":"msg_1","output_index":1,"content_index":0,"delta":"In a quiet "}"#),
            ("response.output_text.delta", #"{"type":"response.output_text.delta","item_id":"msg_1","output_index":1,"content_index":0,"delta":"forest."}"#),
            ("response.completed", #"{"type":"response.completed","response":"# + completed + "}"),
        ]
        for (name, data) in events { shown += try decoder.consume(SSEEvent(name: name, data: data)) }
        let response = try decoder.finish()
        #expect(shown == "In a quiet forest." && response.content == shown && response.usage.outputTokens == 87)
        var cut = OpenAIResponsesStreamDecoder()
        #expect(throws: ProviderError.self) { try cut.finish() }
        #expect(throws: ProviderError.self) {
            _ = try cut.consume(SSEEvent(name: "error", data: #"{"type":"error","code":"server_error","message":"The server had an error."}"#))
        }
    }

    @Test func refusesWhatResponsesHasNot() {
        #expect(throws: ProviderError(.configuration, "the Responses API has no stop, seed: remove it from the params of steps on openai-responses/gpt-5, or use openai/gpt-5 (Chat Completions)")) {
            try adapter.check(ChatRequest(model: "gpt-5", messages: [], params: SamplingParams(stop: ["x"], seed: 1)))
        }
        #expect(throws: ProviderError(.configuration, "o3 is a reasoning model and rejects temperature: remove it from the step's params")) {
            try adapter.check(ChatRequest(model: "o3", messages: [], params: SamplingParams(temperature: 0)))
        }
    }

    @Test func theRegistryRoutesResponsesOnlyModelsThere() throws {
        let registry = ProviderRegistry(environment: [:], transport: UnusedTransport(), mockReplies: [])
        #expect(try registry.adapter(for: ModelRef(provider: "openai", name: "o3-pro")) is OpenAIResponsesAdapter)
        #expect(try registry.adapter(for: ModelRef(provider: "openai", name: "o3-pro-2025-06-10")) is OpenAIResponsesAdapter)
        #expect(try registry.adapter(for: ModelRef(provider: "openai", name: "gpt-4o-mini")) is OpenAIAdapter)
        #expect(try registry.adapter(for: ModelRef(provider: "openai-responses", name: "gpt-4o-mini")) is OpenAIResponsesAdapter)
        #expect(PriceTable.builtIn.price(for: ModelRef(provider: "openai-responses", name: "gpt-4o-mini"))
                == PriceTable.builtIn.price(for: ModelRef(provider: "openai", name: "gpt-4o-mini")))
    }
}

