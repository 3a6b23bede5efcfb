import Testing
@testable import FlowCore

/// Tools in each provider's own format: declared in the request, calls decoded from the answer,
/// results sent back.
@Suite struct ToolWireTests {
    static let call = ToolCall(id: "call_1", name: "get_weather", arguments: .object([("city", .string("Paris"))]), signature: "sig==")
    static let request = ChatRequest(
        model: "m",
        messages: [ChatMessage(.user, "Weather?"), ChatMessage(.assistant, "", toolCalls: [call]),
                   ChatMessage(.tool, "", toolResults: [ToolResult(callId: "call_1", name: "get_weather", content: "18 C")])],
        params: SamplingParams(maxTokens: 50),
        tools: [ToolSpec(name: "get_weather", description: "Weather now.",
                         parameters: .object([("type", .string("object")), ("properties", .object([("city", .object([("type", .string("string"))]))]))]))])

    @Test func openAI() throws {
        let body = OpenAIAdapter().body(for: Self.request).serialized
        #expect(body.contains(#""tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now.","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]"#))
        #expect(body.contains(#"{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"18 C"}"#))
        let response = try OpenAIAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-tool-calls.json")))
        #expect(response.finishReason == .toolCalls(raw: "tool_calls"))
        #expect(response.toolCalls == [ToolCall(id: "call_abc123", name: "get_weather", arguments: .object([("city", .string("Paris"))]))])
    }

    @Test func anthropic() throws {
        let body = try AnthropicAdapter().body(for: Self.request).serialized
        #expect(body.contains(#""tools":[{"name":"get_weather","description":"Weather now.","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]"#))
        #expect(body.contains(#"{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18 C","is_error":false}]}"#))
        let response = try AnthropicAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("anthropic/message-tool-use.json")))
        #expect(response.toolCalls == [ToolCall(id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather",
                                                arguments: .object([("location", .string("San Francisco, CA"))]))])
    }

    @Test func gemini() throws {
        let body = try GeminiAdapter().body(for: Self.request).serialized
        #expect(body.contains(#""tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather now.","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}]"#))
        #expect(body.contains(#"{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"sig=="}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"18 C"}}}]}"#))
        let response = try GeminiAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("gemini/generate-function-call.json")))
        #expect(response.toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: .object([("city", .string("Paris"))]),
                                                signature: "CtgBAVSoXO")])
    }
}
