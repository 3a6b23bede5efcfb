/// Responses' typed events: `response.output_text.delta` carries the text; the closing
/// `response.completed`, `response.incomplete` or `response.failed` carries the whole response
/// object, read as a non-streamed answer is; `error` ends the stream. Other events (item and
/// part boundaries, reasoning, function-call argument deltas) are implied by the closing object.
public struct OpenAIResponsesStreamDecoder: StreamDecoder {
    private var text = ""
    private var closing: JSON?

    /// A decoder at the start of a stream.
    public init() {}

    /// Reads one event; returns the text it adds.
    public mutating func consume(_ event: SSEEvent) throws(ProviderError) -> String {
        let json = try StreamJSON.parse(event.data, provider: "OpenAI")
        switch json["type"]?.string ?? event.name {
        case "response.output_text.delta":
            let delta = json["delta"]?.string ?? ""
            text += delta
            return delta
        case "response.completed", "response.incomplete", "response.failed":
            closing = json["response"]
        case "error":
            let code = json["code"]?.string ?? json["error"]?["code"]?.string
            throw ProviderError(.http, "OpenAI stream error: \(json["message"]?.string ?? json["error"]?["message"]?.string ?? "unknown")" + (code.map { " (\($0))" } ?? ""),
                                errorType: code, retryable: code == "server_error" || code == "rate_limit_exceeded")
        default:
            break
        }
        return ""
    }

    /// The whole answer, once the closing event has come.
    public func finish() throws(ProviderError) -> ChatResponse {
        guard let closing else {
            throw ProviderError(.decode, "OpenAI's Responses stream ended before response.completed or response.incomplete", retryable: true)
        }
        var response = try OpenAIResponsesAdapter.decodeResponse(closing)
        // The deltas are what was shown; the closing object should agree, but the shown text wins.
        if !text.isEmpty { response.content = text }
        return response
    }
}
