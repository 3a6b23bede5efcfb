extension OpenAIResponsesAdapter {
    /// Reads a `response` object, or the error body of a failed call (OpenAI's error shape).
    public func decodeBody(_ response: HTTPResponse, json parsed: JSON?) throws(ProviderError) -> ChatResponse {
        guard (200..<300).contains(response.status) else { throw chat.httpError(response) }
        let json: JSON
        if let parsed { json = parsed } else { json = try HTTPErrors.json(response, from: "OpenAI") }
        return try Self.decodeResponse(json, status: response.status)
    }

    /// A `response` object, from a body or a stream's closing event. `completed` is a stop, or
    /// `tool_calls` when the output holds function calls; `incomplete` is read from
    /// `incomplete_details.reason` (`max_output_tokens` → length, `content_filter`); `failed`
    /// is the provider's error. Any other status is `other`, with its raw value.
    static func decodeResponse(_ json: JSON, status: Int? = nil) throws(ProviderError) -> ChatResponse {
        guard let state = json["status"]?.string, let output = json["output"]?.array else {
            throw ProviderError(.decode, "OpenAI's answer has no status or output: not a Responses object", status: status)
        }
        if state == "failed" {
            let error = json["error"]
            throw ProviderError(.http, "OpenAI's response failed: \(error?["message"]?.string ?? "no message")" + (error?["code"]?.string.map { " (\($0))" } ?? ""),
                                status: status, errorType: error?["code"]?.string, retryable: error?["code"]?.string == "server_error")
        }
        var text = ""
        var refusal = ""
        var calls: [ToolCall] = []
        for item in output {
            switch item["type"]?.string {
            case "message":
                for content in item["content"]?.array ?? [] {
                    if content["type"]?.string == "output_text" { text += content["text"]?.string ?? "" }
                    if content["type"]?.string == "refusal" { refusal += content["refusal"]?.string ?? "" }
                }
            case "function_call":
                guard let id = item["call_id"]?.string, let name = item["name"]?.string else { continue }
                let arguments = item["arguments"]?.string ?? "{}"
                calls.append(ToolCall(id: id, name: name, arguments: (try? JSON.parse(arguments)) ?? .string(arguments)))
            default:
                break  // reasoning items and hosted-tool calls carry no answer text
            }
        }
        let reason: FinishReason
        switch state {
        case "completed": reason = calls.isEmpty ? .stop(raw: state) : .toolCalls(raw: state)
        case "incomplete":
            let why = json["incomplete_details"]?["reason"]?.string ?? "unknown"
            let raw = "incomplete: \(why)"
            reason = why == "max_output_tokens" ? .length(raw: raw) : why == "content_filter" ? .contentFilter(raw: raw) : .other(raw: raw)
        default: reason = .other(raw: state)
        }
        // A refusal is filtered, whatever the status said, so it never passes as an answer.
        let finish = refusal.isEmpty ? reason : .contentFilter(raw: "refusal")
        return ChatResponse(content: text.isEmpty ? refusal : text, finishReason: finish, usage: try OpenAIAdapter.usage(json["usage"], input: "input", output: "output"),
                            model: json["model"]?.string, toolCalls: calls)
    }
}
