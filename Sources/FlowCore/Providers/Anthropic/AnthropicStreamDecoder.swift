import Foundation

/// Anthropic's named events: `message_start` (model, input usage), `content_block_delta`
/// (`text_delta`), `message_delta` (stop reason, cumulative output usage), `message_stop`;
/// `ping` is ignored and `error` ends the stream with an error. A structured-output step's forced
/// tool streams its input as `input_json_delta`s, which are the answer's text. Extended thinking
/// streams as `thinking_delta`s and a closing `signature_delta` in blocks of their own, kept
/// apart from the answer.
public struct AnthropicStreamDecoder: StreamDecoder {
    private var text = ""
    /// Thinking blocks by index, as they build up (`redacted_thinking` ones come whole).
    private var thinking: [(index: Int, block: [(String, JSON)])] = []
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
            if let block, let type = block["type"]?.string, type == "thinking" || type == "redacted_thinking", let pairs = block.objectPairs {
                thinking.append((json["index"]?.int ?? -1, pairs))
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
            case let kind? where kind == "thinking_delta" || kind == "signature_delta":
                let field = kind == "thinking_delta" ? "thinking" : "signature"
                if let piece = json["delta"]?[field]?.string, let at = thinking.lastIndex(where: { $0.index == json["index"]?.int }) {
                    Self.append(piece, to: field, in: &thinking[at].block)
                }
                return ""
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
        var response = ChatResponse(content: text, finishReason: finish, usage: usage, model: model)
        AnthropicAdapter.addThinking(thinking.map { JSON.object($0.block) }, to: &response)
        return response
    }

    /// Appends a streamed piece to a block's text field, adding the field if it was not there.
    private static func append(_ piece: String, to field: String, in block: inout [(String, JSON)]) {
        if let at = block.firstIndex(where: { $0.0 == field }) {
            block[at].1 = .string((block[at].1.string ?? "") + piece)
        } else {
            block.append((field, .string(piece)))
        }
    }
}
