extension AnthropicAdapter {
    /// Reads a `message` object, or the error body of a failed call. Text blocks are joined;
    /// other blocks (thinking, tool use) carry no answer text.
    public func decodeBody(_ response: HTTPResponse, json parsed: JSON?) throws(ProviderError) -> ChatResponse {
        guard (200..<300).contains(response.status) else { throw httpError(response) }
        let json: JSON
        if let parsed { json = parsed } else { json = try HTTPErrors.json(response, from: "Anthropic") }
        guard let blocks = json["content"]?.array else {
            throw ProviderError(.decode, "Anthropic's answer has no content", status: response.status)
        }
        let text = blocks.filter { $0["type"]?.string == "text" }.compactMap { $0["text"]?.string }.joined()
        let raw = json["stop_reason"]?.string ?? "null"
        let calls = blocks.filter { $0["type"]?.string == "tool_use" }.compactMap { block -> ToolCall? in
            guard let id = block["id"]?.string, let name = block["name"]?.string else { return nil }
            return ToolCall(id: id, name: name, arguments: block["input"] ?? .object([]))
        }
        // Structured output came as the forced tool's input: that input is the answer, and the
        // call ended it as a stop would (the stop reason is kept as raw).
        if let answer = calls.first(where: { $0.name == StructuredOutput.toolName }) {
            var response = ChatResponse(content: answer.arguments.serialized, finishReason: raw == "tool_use" ? .stop(raw: raw) : Self.finishReason(raw),
                                        usage: try Self.usage(json["usage"]), model: json["model"]?.string)
            Self.addThinking(blocks, to: &response)
            return response
        }
        var response = ChatResponse(content: text, finishReason: Self.finishReason(raw), usage: try Self.usage(json["usage"]),
                                    model: json["model"]?.string, toolCalls: calls)
        Self.addThinking(blocks, to: &response)
        return response
    }

    /// Extended thinking: the `thinking` blocks' text, kept apart from the answer, and every
    /// thinking block as it came, to send back with the tool calls it led to.
    static func addThinking(_ blocks: [JSON], to response: inout ChatResponse) {
        let thinking = blocks.filter { $0["type"]?.string == "thinking" || $0["type"]?.string == "redacted_thinking" }
        guard !thinking.isEmpty else { return }
        response.reasoningBlocks = thinking
        let text = thinking.compactMap { $0["thinking"]?.string }.joined(separator: "\n\n")
        response.reasoning = text.isEmpty ? nil : text
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "end_turn", "stop_sequence": return .stop(raw: raw)
        case "max_tokens", "model_context_window_exceeded": return .length(raw: raw)
        case "refusal": return .contentFilter(raw: raw)
        case "tool_use": return .toolCalls(raw: raw)
        default: return .other(raw: raw)
        }
    }

    /// Anthropic's `input_tokens` leaves out cache reads and writes; flow's input counts all three.
    static func usage(_ json: JSON?) throws(ProviderError) -> Usage {
        guard let json else { return Usage() }
        let read = try TokenCount.read(json, "cache_read_input_tokens", provider: "Anthropic")
        let write = try TokenCount.read(json, "cache_creation_input_tokens", provider: "Anthropic")
        return Usage(inputTokens: try TokenCount.read(json, "input_tokens", provider: "Anthropic") + read + write,
                     outputTokens: try TokenCount.read(json, "output_tokens", provider: "Anthropic"),
                     cachedInputTokens: read, cacheWriteTokens: write)
    }

    func httpError(_ response: HTTPResponse) -> ProviderError {
        let body = try? JSON.parse(response.body)
        var message = "Anthropic answered HTTP \(response.status)"
        if let detail = body?["error"]?["message"]?.string { message += ": " + detail }
        let type = body?["error"]?["type"]?.string
        if let type { message += " (\(type))" }
        return ProviderError(.http, message, status: response.status, errorType: type,
                             requestId: response.headers["request-id"], retryable: HTTPErrors.isRetryable(response.status),
                             retryAfter: HTTPErrors.retryAfter(response.headers))
    }
}
