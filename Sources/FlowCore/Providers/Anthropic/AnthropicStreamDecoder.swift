import Foundation

/// Anthropic's named events: `message_start` (model, input usage), `content_block_delta`
/// (`text_delta`), `message_delta` (stop reason, cumulative output usage), `message_stop`;
/// `ping` is ignored and `error` ends the stream with an error.
public struct AnthropicStreamDecoder: StreamDecoder {
    private var text = ""
    private var stopReason: String?
    private var usage = Usage()
    private var model: String?
    private var stopped = false

    /// A decoder at the start of a stream.
    public init() {}

    /// Reads one event; returns the text it adds (empty for most).
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

    /// The whole answer, once `message_stop` has come.
    public func finish() throws(ProviderError) -> ChatResponse {
        guard let stopReason else {
            throw ProviderError(.decode, "Anthropic's stream ended before message_delta gave a stop reason", retryable: true)
        }
        return ChatResponse(content: text, finishReason: AnthropicAdapter.finishReason(stopReason), usage: usage, model: model)
    }
}
