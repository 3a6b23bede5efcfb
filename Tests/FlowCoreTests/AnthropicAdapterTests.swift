import Testing
@testable import FlowCore

@Suite struct AnthropicAdapterTests {
    let adapter = AnthropicAdapter(baseURL: "https://anthropic.example.test/")

    func decode(_ fixture: String, status: Int = 200, headers: [String: String] = [:]) throws -> ChatResponse {
        try adapter.decode(HTTPResponse(status: status, headers: headers, body: try Fixture.bytes("anthropic/" + fixture)))
    }

    @Test func encodesTheDocumentedBody() throws {
        let http = try adapter.encode(GoldenRequest.request, apiKey: "sk-ant-test")
        #expect(http.url == "https://anthropic.example.test/v1/messages")
        #expect(http.headers == [Header("Content-Type", "application/json"), Header("anthropic-version", "2023-06-01"),
                                 Header("x-api-key", "sk-ant-test")])
        #expect(String(decoding: http.body, as: UTF8.self) == #"""
            {"model":"m","max_tokens":64,"system":"Be brief.","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Classify: late parcel"},{"role":"assistant","content":"Category:"}],"temperature":0.2,"top_p":0.9,"stop_sequences":["\n"]}
            """#)
    }

    @Test func decodesAndJoinsTextBlocks() throws {
        #expect(try decode("message-end-turn.json") == ChatResponse(
            content: "Hello! How can I help?", finishReason: .stop(raw: "end_turn"),
            usage: Usage(inputTokens: 12, outputTokens: 9), model: "claude-sonnet-4-5-20250929"))
    }

    @Test func cacheTokensAddToInput() throws {
        let response = try decode("message-max-tokens-cached.json")
        #expect(response.finishReason == .length(raw: "max_tokens"))
        #expect(response.usage == Usage(inputTokens: 4250, outputTokens: 10, cachedInputTokens: 3000, cacheWriteTokens: 1200))
    }

    @Test func stopSequenceToolUseRefusalAndPause() throws {
        #expect(try decode("message-stop-sequence.json").finishReason == .stop(raw: "stop_sequence"))
        let tool = try decode("message-tool-use.json")
        #expect(tool.finishReason == .toolCalls(raw: "tool_use"))
        #expect(tool.content == "I'll check the weather.")
        let refusal = try decode("message-refusal.json")
        #expect(refusal.finishReason == .contentFilter(raw: "refusal"))
        #expect(refusal.content == "")
        let pause = try decode("message-pause-turn-thinking.json")
        #expect(pause.finishReason == .other(raw: "pause_turn"))
        #expect(pause.content == "", "thinking is not answer text")
    }

    @Test func errorShapes() throws {
        #expect(throws: ProviderError(.http, "Anthropic answered HTTP 529: Overloaded (overloaded_error)", status: 529,
                                      errorType: "overloaded_error", requestId: "req_011", retryable: true)) {
            try decode("error-overloaded.json", status: 529, headers: ["request-id": "req_011"])
        }
        #expect(throws: ProviderError(.http, "Anthropic answered HTTP 400: max_tokens: Field required (invalid_request_error)",
                                      status: 400, errorType: "invalid_request_error")) {
            try decode("error-invalid-request.json", status: 400)
        }
    }

    @Test func capabilityChecksHappenBeforeSending() throws {
        var request = GoldenRequest.request
        request.params.maxTokens = nil
        #expect(throws: ProviderError(.configuration, "Anthropic requires max_tokens: set it in the workflow's or the step's params")) {
            try adapter.check(request)
        }
        request = GoldenRequest.request
        request.model = "claude-sonnet-4-6"
        #expect(throws: ProviderError(.configuration, "anthropic/claude-sonnet-4-6 does not accept an assistant prefill: remove 'prefill' or run this step on another model")) {
            try adapter.check(request)
        }
        request = GoldenRequest.request
        #expect(throws: ProviderError(.configuration, "Anthropic has no seed parameter: remove 'seed' from the params of steps on anthropic/…")) {
            try adapter.check(request)
        }
        request.params.seed = nil
        try adapter.check(request)
        request.prefill = "Category: "
        #expect(throws: ProviderError(.configuration, "Anthropic rejects a prefill that ends with whitespace: trim the end of 'prefill'")) {
            try adapter.check(request)
        }
    }

    @Test(arguments: [("claude-sonnet-4-5-20250929", PrefillMode.native), ("claude-3-7-sonnet-latest", .native),
                      ("claude-opus-4-6", .refused), ("claude-sonnet-5", .refused), ("claude-haiku-4-5", .native),
                      ("my-proxy-model", .native)])
    func prefillByModel(model: String, mode: PrefillMode) {
        #expect(adapter.prefillMode(for: model) == mode)
    }
}

@Suite struct GeminiAdapterTests {
    let adapter = GeminiAdapter(baseURL: "https://gemini.example.test")

    func decode(_ fixture: String, status: Int = 200) throws -> ChatResponse {
        try adapter.decode(HTTPResponse(status: status, body: try Fixture.bytes("gemini/" + fixture)))
    }

    @Test func encodesTheDocumentedBodyWithTheKeyInAHeader() throws {
        var request = GoldenRequest.request
        request.prefill = nil
        let http = try adapter.encode(request, apiKey: "AIza-test")
        #expect(http.url == "https://gemini.example.test/v1beta/models/m:generateContent")
        #expect(!http.url.contains("AIza-test"))
        #expect(http.headers == [Header("Content-Type", "application/json"), Header("x-goog-api-key", "AIza-test")])
        #expect(String(decoding: http.body, as: UTF8.self) == #"""
            {"contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Hello."}]},{"role":"user","parts":[{"text":"Classify: late parcel"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"generationConfig":{"temperature":0.2,"topP":0.9,"maxOutputTokens":64,"stopSequences":["\n"],"seed":7}}
            """#)
    }

    @Test func decodesAndJoinsParts() throws {
        #expect(try decode("generate-stop.json") == ChatResponse(
            content: "Hello there! How can I help?", finishReason: .stop(raw: "STOP"),
            usage: Usage(inputTokens: 8, outputTokens: 7), model: "gemini-2.0-flash"))
    }

    @Test func maxTokensWithNoPartsAndCachedUsage() throws {
        let response = try decode("generate-max-tokens-no-parts.json")
        #expect(response.content == "")
        #expect(response.finishReason == .length(raw: "MAX_TOKENS"))
        #expect(response.usage == Usage(inputTokens: 2000, outputTokens: 100, cachedInputTokens: 1500, reasoningTokens: 100))
    }

    @Test func thoughtsAreNotAnswerTextButCountAsOutput() throws {
        let response = try decode("generate-thoughts.json")
        #expect(response.content == "2, 3, 5")
        #expect(response.usage == Usage(inputTokens: 10, outputTokens: 47, reasoningTokens: 42))
    }

    @Test func functionCallPartsMeanToolCalls() throws {
        #expect(try decode("generate-function-call.json").finishReason == .toolCalls(raw: "STOP"))
    }

    @Test func safetyAndBlockedPromptsAreContentFilters() throws {
        let safety = try decode("generate-safety.json")
        #expect(safety.finishReason == .contentFilter(raw: "SAFETY"))
        #expect(safety.content == "")
        let blocked = try decode("generate-prompt-blocked.json")
        #expect(blocked.finishReason == .contentFilter(raw: "prompt_blocked:SAFETY"))
        #expect(blocked.usage.inputTokens == 9)
        #expect(try decode("generate-other.json").finishReason == .other(raw: "MALFORMED_FUNCTION_CALL"))
        // A real answer: no candidates, a message but no reason. A blocked prompt, branchable.
        let messageOnly = try decode("generate-prompt-blocked-message-only.json")
        #expect(messageOnly.finishReason == .contentFilter(raw: "prompt_blocked:The prompt was blocked by the safety system."))
        #expect(messageOnly.usage.inputTokens == 14)
        // Nothing to classify: the `other` finish, not a provider error.
        #expect(try decode("generate-no-candidates.json").finishReason == .other(raw: "no_candidates"))
    }

    @Test func errorShapes() throws {
        #expect(throws: ProviderError(.http, "Gemini answered HTTP 400: API key not valid. Please pass a valid API key. (INVALID_ARGUMENT)",
                                      status: 400, errorType: "INVALID_ARGUMENT")) {
            try decode("error-bad-key.json", status: 400)
        }
        #expect(throws: ProviderError(.http, "Gemini answered HTTP 503: The model is overloaded. Please try again later. (UNAVAILABLE)",
                                      status: 503, errorType: "UNAVAILABLE", retryable: true)) {
            try decode("error-unavailable.json", status: 503)
        }
    }

    @Test func prefillAndTooManyStopsAreRefused() {
        #expect(throws: ProviderError(.configuration, "gemini/m does not accept an assistant prefill: remove 'prefill' or run this step on another model")) {
            try adapter.check(GoldenRequest.request)
        }
        var request = GoldenRequest.request
        request.prefill = nil
        request.params.stop = ["1", "2", "3", "4", "5", "6"]
        #expect(throws: ProviderError(.configuration, "Gemini takes at most 5 stop sequences; the step has 6")) { try adapter.check(request) }
    }
}

/// One request encoded by every adapter: the golden bodies compare field by field.
enum GoldenRequest {
    static let request = ChatRequest(
        model: "m",
        messages: [ChatMessage(.system, "Be brief."), ChatMessage(.user, "Hi"), ChatMessage(.assistant, "Hello."),
                   ChatMessage(.user, "Classify: late parcel")],
        params: SamplingParams(temperature: 0.2, topP: 0.9, maxTokens: 64, stop: ["\n"], seed: 7),
        prefill: "Category:")
}
