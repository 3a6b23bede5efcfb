import Testing
@testable import FlowCore

@Suite struct OpenAIAdapterTests {
    let adapter = OpenAIAdapter(baseURL: "https://api.example.test/v1/")

    @Test func encodesTheDocumentedBodyInAFixedOrder() {
        let request = ChatRequest(
            model: "gpt-4o-mini",
            messages: [ChatMessage(.system, "Be brief."), ChatMessage(.user, "Say \"hi\"\n")],
            params: SamplingParams(temperature: 0.2, topP: 0.9, maxTokens: 50, stop: ["END"], seed: 42))
        let http = adapter.encode(request, apiKey: "sk-test")
        #expect(http.method == "POST")
        #expect(http.url == "https://api.example.test/v1/chat/completions")
        #expect(http.headers == [Header("Content-Type", "application/json"), Header("Authorization", "Bearer sk-test")])
        #expect(String(decoding: http.body, as: UTF8.self) == #"""
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say \"hi\"\n"}],"temperature":0.2,"top_p":0.9,"max_completion_tokens":50,"stop":["END"],"seed":42}
            """#)
    }

    @Test func unsetParamsAreLeftOut() {
        let body = adapter.body(for: ChatRequest(model: "m", messages: [ChatMessage(.user, "x")]))
        #expect(body.serialized == #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#)
    }

    @Test func compatibleServersGetMaxTokens() {
        let compatible = OpenAIAdapter(baseURL: "http://localhost:11434/v1", maxTokensField: .maxTokens)
        let body = compatible.body(for: ChatRequest(model: "llama3", messages: [], params: SamplingParams(maxTokens: 7)))
        #expect(body["max_tokens"] == .int(7))
        #expect(body["max_completion_tokens"] == nil)
    }

    @Test func prefillIsATrailingAssistantMessage() {
        let body = adapter.body(for: ChatRequest(model: "m", messages: [ChatMessage(.user, "x")], prefill: "Category:"))
        #expect(body["messages"]?[1] == .object([("role", .string("assistant")), ("content", .string("Category:"))]))
    }

    @Test func decodesACompletionIgnoringUnknownFields() throws {
        let response = try adapter.decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-stop.json")))
        #expect(response == ChatResponse(content: "Hello! How can I assist you today?", finishReason: .stop(raw: "stop"),
                                         usage: Usage(inputTokens: 19, outputTokens: 10), model: "gpt-4o-mini-2024-07-18"))
    }

    @Test func decodesLengthWithCachedAndReasoningTokens() throws {
        let response = try adapter.decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-length-reasoning.json")))
        #expect(response.finishReason == .length(raw: "length"))
        #expect(response.usage == Usage(inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1024, reasoningTokens: 256))
    }

    @Test func refusalIsAContentFilterWithTheRawReasonKept() throws {
        let response = try adapter.decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-refusal.json")))
        #expect(response.finishReason == .contentFilter(raw: "stop"))
        #expect(response.content == "I'm sorry, I can't help with that request.")
    }

    @Test func nullContentIsEmptyText() throws {
        let response = try adapter.decode(HTTPResponse(status: 200, body: try Fixture.bytes("openai/completion-content-filter-null.json")))
        #expect(response.content == "")
        #expect(response.finishReason == .contentFilter(raw: "content_filter"))
    }

    @Test(arguments: [("stop", "stop"), ("length", "length"), ("content_filter", "content_filter"),
                      ("tool_calls", "tool_calls"), ("function_call", "tool_calls"), ("something_new", "other")])
    func finishReasonMapping(raw: String, name: String) {
        let reason = OpenAIAdapter.finishReason(raw)
        #expect(reason.name == name)
        #expect(reason.raw == raw)
    }

    @Test func errorBodiesBecomeProviderErrors() throws {
        #expect(throws: ProviderError(.http, "OpenAI answered HTTP 401: Incorrect API key provided: sk-proj-****. You can find your API key at https://platform.openai.com/account/api-keys. (invalid_api_key)",
                                      status: 401, errorType: "invalid_api_key")) {
            try adapter.decode(HTTPResponse(status: 401, body: try Fixture.bytes("openai/error-401.json")))
        }
        // A 429 for an exhausted quota is not retryable.
        #expect(throws: ProviderError(.http, "OpenAI answered HTTP 429: You exceeded your current quota, please check your plan and billing details. (insufficient_quota) — the account's quota or credit is spent, and waiting will not lift it: check the plan and billing of the key's project",
                                      status: 429, errorType: "insufficient_quota")) {
            try adapter.decode(HTTPResponse(status: 429, body: try Fixture.bytes("openai/error-429-quota.json")))
        }
        #expect(throws: ProviderError(.http, "OpenAI answered HTTP 502", status: 502, requestId: "req_9", retryable: true, retryAfter: 2)) {
            try adapter.decode(HTTPResponse(status: 502, headers: ["x-request-id": "req_9", "retry-after": "2"],
                                            body: Array("<html>bad gateway</html>".utf8)))
        }
    }

    @Test func malformedBodiesAreDecodeErrors() {
        #expect(throws: ProviderError(.decode, "OpenAI's answer has no choices", status: 200)) {
            try adapter.decode(HTTPResponse(status: 200, body: Array(#"{"choices":[]}"#.utf8)))
        }
        #expect(throws: ProviderError(.decode, "OpenAI answered with a body that is not JSON (invalid JSON at byte 0: unexpected end of input)", status: 200)) {
            try adapter.decode(HTTPResponse(status: 200, body: []))
        }
    }
}

@Suite struct OpenAIModelRuleTests {
    let adapter = OpenAIAdapter()

    @Test func goldenRequestBody() throws {
        #expect(String(decoding: adapter.encode(GoldenRequest.request, apiKey: nil).body, as: UTF8.self) == #"""
            {"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Classify: late parcel"},{"role":"assistant","content":"Category:"}],"temperature":0.2,"top_p":0.9,"max_completion_tokens":64,"stop":["\n"],"seed":7}
            """#)
    }

    @Test func reasoningModelsTakeDeveloperAndRejectSampling() throws {
        var request = GoldenRequest.request
        request.model = "o3-mini"
        #expect(throws: ProviderError(.configuration, "o3-mini is a reasoning model and rejects temperature and top_p: remove it from the step's params")) {
            try adapter.check(request)
        }
        request.params.temperature = nil
        request.params.topP = nil
        try adapter.check(request)
        #expect(adapter.body(for: request)["messages"]?[0]?["role"] == .string("developer"))
    }

    @Test func compatibleServersSkipOpenAIModelRules() throws {
        let ollama = OpenAIAdapter(providerName: "ollama", baseURL: "http://127.0.0.1:11434/v1", maxTokensField: .maxTokens)
        var request = GoldenRequest.request
        request.model = "o3-local"
        try ollama.check(request)
        #expect(ollama.body(for: request)["messages"]?[0]?["role"] == .string("system"))
        #expect(throws: ProviderError(.http, "ollama answered HTTP 404: model not found", status: 404)) {
            try ollama.decode(HTTPResponse(status: 404, body: Array(#"{"error":{"message":"model not found"}}"#.utf8)))
        }
    }

    @Test func moreThanFourStopsAreRefused() {
        var request = GoldenRequest.request
        request.params.stop = ["a", "b", "c", "d", "e"]
        #expect(throws: ProviderError(.configuration, "OpenAI takes at most 4 stop sequences; the step has 5")) { try adapter.check(request) }
    }
}
