import Foundation

/// Anthropic's named events: `message_start` (model, input usage), `content_block_delta`
/// (`text_delta`), `message_delta` (stop reason, cumulative output usage), `message_stop`;
/// `ping` is ignored and `error` ends the stream with an error. A structured-output step's forced
/// tool streams its input as `input_json_delta`s, which are the answer's text.
public struct AnthropicStreamDecoder: StreamDecoder {
    private var text = ""
    private var structuredBlock: Int?
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
        case "content_block_start":
            let block = json["content_block"]
            if block?["type"]?.string == "tool_use", block?["name"]?.string == StructuredOutput.toolName {
                structuredBlock = json["index"]?.int
            }
        case "content_block_delta":
            let delta: String
            switch json["delta"]?["type"]?.string {
            case "text_delta"?:
                guard let piece = json["delta"]?["text"]?.string else { return "" }
                delta = piece
            case "input_json_delta"? where structuredBlock != nil && json["index"]?.int == structuredBlock:
                guard let piece = json["delta"]?["partial_json"]?.string else { return "" }
                delta = piece
            default:
                return ""
            }
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
        // The forced tool's call ends a structured answer as a stop would (raw kept).
        let finish = structuredBlock != nil && stopReason == "tool_use" ? .stop(raw: stopReason) : AnthropicAdapter.finishReason(stopReason)
        return ChatResponse(content: text, finishReason: finish, usage: usage, model: model)
    }
}
