extension OpenAIAdapter {
    /// The request body as sent: keys in a fixed order so golden tests compare bytes.
    public func body(for request: ChatRequest) -> JSON {
        let developer = appliesOpenAIModelRules && Self.isReasoningModel(request.model)
        var messages = request.messages.map { message in
            // Reasoning models read instructions from the `developer` role.
            let role = message.role == .system && developer ? "developer" : message.role.rawValue
            return JSON.object([("role", .string(role)), ("content", .string(message.content))])
        }
        if let prefill = request.prefill, !prefill.isEmpty {
            messages.append(.object([("role", .string("assistant")), ("content", .string(prefill))]))
        }
        let params = request.params
        return .object(omittingNil: [
            ("model", .string(request.model)),
            ("messages", .array(messages)),
            ("temperature", params.temperature.map(JSON.double)),
            ("top_p", params.topP.map(JSON.double)),
            (maxTokensField.rawValue, params.maxTokens.map(JSON.int)),
            ("stop", params.stop.map { .array($0.map(JSON.string)) }),
            ("seed", params.seed.map(JSON.int)),
            ("logprobs", params.wantsLogprobs ? .bool(true) : nil),
            ("top_logprobs", params.topLogprobs.map(JSON.int)),
        ])
    }

    /// The HTTP request. `apiKey` goes only into the Authorization header.
    public func encode(_ request: ChatRequest, apiKey: String?) -> HTTPRequest {
        http(body(for: request), apiKey: apiKey)
    }

    /// Streaming asks for usage in the last chunk, which OpenAI otherwise leaves out.
    public func encodeStream(_ request: ChatRequest, apiKey: String?) -> HTTPRequest {
        http(body(for: request).adding([("stream", .bool(true)), ("stream_options", .object([("include_usage", .bool(true))]))]),
             apiKey: apiKey)
    }

    public func streamDecoder() -> any StreamDecoder { OpenAIStreamDecoder(providerName: providerName) }

    private func http(_ body: JSON, apiKey: String?) -> HTTPRequest {
        var headers = [Header("Content-Type", "application/json")]
        if let apiKey { headers.append(Header("Authorization", "Bearer " + apiKey)) }
        return HTTPRequest(method: "POST", url: baseURL + "/chat/completions", headers: headers, body: Array(body.serialized.utf8))
    }
}
