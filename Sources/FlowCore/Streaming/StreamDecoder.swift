/// Turns a provider's stream of events into text deltas and, at the end, one `ChatResponse`
/// equal to what the non-streamed call would have returned.
public protocol StreamDecoder: Sendable {
    /// Reads one event; returns the answer text it adds (may be empty). Throws for an error event.
    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String
    /// The whole response. Throws `.decode` when the stream ended before its last event.
    func finish() throws(ProviderError) -> ChatResponse
}

/// OpenAI chat completion chunks: `choices[0].delta.content`, a chunk with `finish_reason`, usage
/// in a final chunk with no choices (`stream_options.include_usage`), then `data: [DONE]`.
public struct OpenAIStreamDecoder: StreamDecoder {
    let providerName: String
    private var text = ""
    private var refusal = ""
    private var finishReason: String?
    private var usage = Usage()
    private var model: String?
    private var done = false
    private var logprobs: [TokenLogprob]?

    public init(providerName: String = "openai") { self.providerName = providerName }

    public mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String {
        if event.data == "[DONE]" {
            done = true
            return ""
        }
        let chunk = try StreamJSON.parse(event.data, provider: providerName)
        if let error = chunk["error"] {
            throw ProviderError(.http, "\(providerName) stream error: \(error["message"]?.string ?? event.data)", errorType: error["code"]?.string)
        }
        model = chunk["model"]?.string ?? model
        if let usageJSON = chunk["usage"], !usageJSON.isNull { usage = try OpenAIAdapter.usage(usageJSON) }
        guard let choice = chunk["choices"]?[0] else { return "" }
        if let reason = choice["finish_reason"]?.string { finishReason = reason }
        if let part = choice["delta"]?["refusal"]?.string { refusal += part }
        if let tokens = OpenAIAdapter.logprobs(choice["logprobs"]) { logprobs = (logprobs ?? []) + tokens }
        let delta = choice["delta"]?["content"]?.string ?? ""
        text += delta
        return delta
    }

    public func finish() throws(ProviderError) -> ChatResponse {
        guard let finishReason else {
            throw ProviderError(.decode, "\(providerName)'s stream ended before a finish reason", retryable: true)
        }
        var reason = OpenAIAdapter.finishReason(finishReason)
        if !refusal.isEmpty { reason = .contentFilter(raw: finishReason) }
        return ChatResponse(content: text.isEmpty ? refusal : text, finishReason: reason, usage: usage, model: model, logprobs: logprobs)
    }
}

/// Anthropic's named events: `message_start` (model, input usage), `content_block_delta`
/// (`text_delta`), `message_delta` (stop reason, cumulative output usage), `message_stop`;
/// `ping` is ignored and `error` ends the stream with an error.
public struct AnthropicStreamDecoder: StreamDecoder {
    private var text = ""
    private var stopReason: String?
    private var usage = Usage()
    private var model: String?
    private var stopped = false

    public init() {}

    public mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String {
        guard event.name != "ping" else { return "" }
        let json = try StreamJSON.parse(event.data, provider: "Anthropic")
        switch json["type"]?.string ?? event.name {
        case "message_start":
            model = json["message"]?["model"]?.string
            usage = try AnthropicAdapter.usage(json["message"]?["usage"])
        case "content_block_delta":
            guard json["delta"]?["type"]?.string == "text_delta", let delta = json["delta"]?["text"]?.string else { return "" }
            text += delta
            return delta
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.string { stopReason = reason }
            // Usage here is cumulative: it replaces, never adds.
            if let output = json["usage"]?["output_tokens"], !output.isNull {
                usage.outputTokens = try TokenCount.read(value: output, field: "output_tokens", provider: "Anthropic")
            }
        case "message_stop":
            stopped = true
        case "error":
            let type = json["error"]?["type"]?.string
            throw ProviderError(.http, "Anthropic stream error: \(json["error"]?["message"]?.string ?? "unknown")" + (type.map { " (\($0))" } ?? ""),
                                errorType: type, retryable: type == "overloaded_error" || type == "api_error")
        default:
            break
        }
        return ""
    }

    public func finish() throws(ProviderError) -> ChatResponse {
        guard let stopReason else {
            throw ProviderError(.decode, "Anthropic's stream ended before message_delta gave a stop reason", retryable: true)
        }
        return ChatResponse(content: text, finishReason: AnthropicAdapter.finishReason(stopReason), usage: usage, model: model)
    }
}

/// Gemini's `alt=sse` stream: each event is a whole `GenerateContentResponse` holding the next
/// piece of text; the last finish reason and the last usage win. There is no `[DONE]`.
public struct GeminiStreamDecoder: StreamDecoder {
    private var text = ""
    private var finishReason: String?
    private var functionCall = false
    private var usage = Usage()
    private var model: String?
    private var blocked: String?
    private var logprobs: [TokenLogprob]?

    public init() {}

    public mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String {
        let json = try StreamJSON.parse(event.data, provider: "Gemini")
        if let error = json["error"] {
            throw ProviderError(.http, "Gemini stream error: \(error["message"]?.string ?? "unknown")", errorType: error["status"]?.string)
        }
        if let metadata = json["usageMetadata"] { usage = try GeminiAdapter.usage(metadata) }
        model = json["modelVersion"]?.string ?? model
        if let reason = json["promptFeedback"]?["blockReason"]?.string { blocked = reason }
        guard let candidate = json["candidates"]?[0] else { return "" }
        if let reason = candidate["finishReason"]?.string { finishReason = reason }
        if let tokens = GeminiAdapter.logprobs(candidate["logprobsResult"]) { logprobs = (logprobs ?? []) + tokens }
        let parts = candidate["content"]?["parts"]?.array ?? []
        functionCall = functionCall || parts.contains { $0["functionCall"] != nil }
        let delta = parts.filter { $0["thought"] != .bool(true) }.compactMap { $0["text"]?.string }.joined()
        text += delta
        return delta
    }

    public func finish() throws(ProviderError) -> ChatResponse {
        if let blocked, finishReason == nil {
            return ChatResponse(content: "", finishReason: .contentFilter(raw: "prompt_blocked:" + blocked), usage: usage, model: model)
        }
        guard let finishReason else {
            throw ProviderError(.decode, "Gemini's stream ended before a finish reason", retryable: true)
        }
        return ChatResponse(content: text, finishReason: GeminiAdapter.finishReason(finishReason, functionCall: functionCall),
                            usage: usage, model: model, logprobs: logprobs)
    }
}

enum StreamJSON {
    static func parse(_ text: String, provider: String) throws(ProviderError) -> JSON {
        do {
            return try JSON.parse(text)
        } catch {
            throw ProviderError(.decode, "\(provider) sent a stream event that is not JSON (\(error))")
        }
    }
}
