import Testing
@testable import FlowCore

/// Log probabilities: asked for under each provider's names, normalized to tokens with alternatives.
@Suite struct LogprobTests {
    let request = ChatRequest(model: "m", messages: [ChatMessage(.user, "Billing or account?")],
                              params: SamplingParams(maxTokens: 1, topLogprobs: 2))

    @Test func openAIAsksAndDecodes() throws {
        let body = OpenAIAdapter().body(for: request)
        #expect(body["logprobs"] == .bool(true))
        #expect(body["top_logprobs"] == .int(2))
        let response = try OpenAIAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-logprobs.json")))
        #expect(response.logprobs == [TokenLogprob(token: " billing", logprob: -0.10536, top: [
            .init(token: " billing", logprob: -0.10536), .init(token: " account", logprob: -2.3026)])])
        #expect(abs((response.logprobs?.first?.probability ?? 0) - 0.9) < 0.001)
    }

    @Test func geminiAsksAndDecodes() throws {
        let body = try GeminiAdapter().body(for: request)
        #expect(body["generationConfig"]?["responseLogprobs"] == .bool(true))
        #expect(body["generationConfig"]?["logprobs"] == .int(2))
        let response = try GeminiAdapter().decode(HTTPResponse(status: 200, body: try Fixture.bytes("gemini/generate-logprobs.json")))
        #expect(response.logprobs == [TokenLogprob(token: "yes", logprob: -0.0513, top: [
            .init(token: "yes", logprob: -0.0513), .init(token: "no", logprob: -2.995)])])
    }

    @Test func providersWithoutLogprobsRefuseThem() {
        #expect(throws: ProviderError(.configuration, "Anthropic returns no log probabilities: remove 'logprobs' and 'top_logprobs' from the params of steps on anthropic/…")) {
            try AnthropicAdapter().check(request)
        }
        var reasoning = request
        reasoning.model = "o4-mini"
        #expect(throws: ProviderError(.configuration, "o4-mini is a reasoning model and rejects logprobs: remove it from the step's params")) {
            try OpenAIAdapter().check(reasoning)
        }
    }

    @Test func streamedLogprobsAccumulate() throws {
        var decoder = OpenAIStreamDecoder()
        for token in ["A", "B"] {
            _ = try decoder.consume(SSEEvent(data: #"{"choices":[{"index":0,"delta":{"content":"\#(token)"},"logprobs":{"content":[{"token":"\#(token)","logprob":-0.5,"top_logprobs":[]}]},"finish_reason":null}]}"#))
        }
        _ = try decoder.consume(SSEEvent(data: #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#))
        #expect(try decoder.finish().logprobs?.map(\.token) == ["A", "B"])
    }
}
