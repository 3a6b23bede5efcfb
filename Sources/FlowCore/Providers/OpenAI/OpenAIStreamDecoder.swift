import Foundation

/// OpenAI chat completion chunks: `choices[0].delta.content`, a chunk with `finish_reason`, usage
/// in a final chunk with no choices (`stream_options.include_usage`), then `data: [DONE]`.
public struct OpenAIStreamDecoder: StreamDecoder {
    let providerName: ProviderName
    private var text = ""
    private var refusal = ""
    private var finishReason: String?
    private var usage = Usage()
    private var model: String?
    private var done = false
    private var logprobs: [TokenLogprob]?

    /// A decoder at the start of a stream; `providerName` appears in its errors.
    public init(providerName: ProviderName = .openai) { self.providerName = providerName }

    /// Reads one chunk; returns the text it adds.
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

    /// The whole answer, once a finish reason has come.
    public func finish() throws(ProviderError) -> ChatResponse {
        guard let finishReason else {
            throw ProviderError(.decode, "\(providerName)'s stream ended before a finish reason", retryable: true)
        }
        var reason = OpenAIAdapter.finishReason(finishReason)
        if !refusal.isEmpty { reason = .contentFilter(raw: finishReason) }
        return ChatResponse(content: text.isEmpty ? refusal : text, finishReason: reason, usage: usage, model: model, logprobs: logprobs)
    }
}
