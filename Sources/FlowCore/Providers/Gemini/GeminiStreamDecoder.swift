import Foundation

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

    /// A decoder at the start of a stream.
    public init() {}

    /// Reads one event; returns the text it adds.
    public mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String {
        let json = try StreamJSON.parse(event.data, provider: "Gemini")
        if let error = json["error"] {
            throw ProviderError(.http, "Gemini stream error: \(error["message"]?.string ?? "unknown")", errorType: error["status"]?.string)
        }
        if let metadata = json["usageMetadata"] { usage = try GeminiAdapter.usage(metadata) }
        model = json["modelVersion"]?.string ?? model
        if let reason = GeminiAdapter.promptBlock(json["promptFeedback"]) { blocked = reason }
        guard let candidate = json["candidates"]?[0] else { return "" }
        if let reason = candidate["finishReason"]?.string { finishReason = reason }
        if let tokens = GeminiAdapter.logprobs(candidate["logprobsResult"]) { logprobs = (logprobs ?? []) + tokens }
        let parts = candidate["content"]?["parts"]?.array ?? []
        functionCall = functionCall || parts.contains { $0["functionCall"] != nil }
        let delta = parts.filter { $0["thought"] != .bool(true) }.compactMap { $0["text"]?.string }.joined()
        text += delta
        return delta
    }

    /// The whole answer from the events read (the last usage wins).
    public func finish() throws(ProviderError) -> ChatResponse {
        if let blocked, finishReason == nil {
            return ChatResponse(content: "", finishReason: .contentFilter(raw: blocked), usage: usage, model: model)
        }
        guard let finishReason else {
            throw ProviderError(.decode, "Gemini's stream ended before a finish reason", retryable: true)
        }
        return ChatResponse(content: text, finishReason: GeminiAdapter.finishReason(finishReason, functionCall: functionCall),
                            usage: usage, model: model, logprobs: logprobs)
    }
}
