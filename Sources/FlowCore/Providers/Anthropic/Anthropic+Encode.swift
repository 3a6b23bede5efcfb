extension AnthropicAdapter {
    /// The body: system at the top level, the prefill as a trailing assistant turn that the
    /// model continues. Throws `.configuration` when `max_tokens` is unset (Anthropic requires it).
    public func body(for request: ChatRequest) throws(ProviderError) -> JSON {
        guard let maxTokens = request.params.maxTokens else {
            throw ProviderError(.configuration, "Anthropic requires max_tokens: set it in the workflow's or the step's params")
        }
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        let conversation = request.messages.filter { $0.role != .system }
        let (cacheSystem, cached) = Self.cacheBreakpoints(request.messages)
        var messages = conversation.enumerated().map { index, message -> JSON in
            if !message.parts.isEmpty {
                var blocks = message.parts.map(Self.block)
                if cached.contains(index), let last = blocks.indices.last {
                    blocks[last] = blocks[last].adding([("cache_control", .object([("type", .string("ephemeral"))]))])
                }
                return .object([("role", .string("user")), ("content", .array(blocks))])
            }
            if cached.contains(index), message.role == .user || (message.role == .assistant && message.toolCalls.isEmpty) {
                // A breakpoint is a block's cache_control, so the turn is written as one text block.
                return .object([("role", .string(message.role.rawValue)),
                                ("content", .array([Self.textBlock(message.content, cached: true)]))])
            }
            switch message.role {
            case .tool:
                // Results go back as tool_result blocks in a user turn.
                return .object([("role", .string("user")), ("content", .array(message.toolResults.map { result in
                    .object([("type", .string("tool_result")), ("tool_use_id", .string(result.callId)),
                             ("content", .string(result.content)), ("is_error", .bool(result.isError))])
                }))])
            case .assistant where !message.toolCalls.isEmpty:
                // Thinking blocks first, as they came: Anthropic checks their signatures.
                var blocks: [JSON] = message.reasoningBlocks
                if !message.content.isEmpty { blocks.append(.object([("type", .string("text")), ("text", .string(message.content))])) }
                blocks += message.toolCalls.map { call in
                    .object([("type", .string("tool_use")), ("id", .string(call.id)), ("name", .string(call.name)), ("input", call.arguments)])
                }
                return .object([("role", .string("assistant")), ("content", .array(blocks))])
            default:
                return .object([("role", .string(message.role.rawValue)), ("content", .string(message.content))])
            }
        }
        if let prefill = request.prefill, !prefill.isEmpty {
            messages.append(.object([("role", .string("assistant")), ("content", .string(prefill))]))
        }
        let params = request.params
        var tools = request.tools
        let route = request.responseSchema.map { StructuredOutput.anthropicRoute($0, model: request.model) }
        if let schema = request.responseSchema, route == .tool {
            tools.append(ToolSpec(name: StructuredOutput.toolName, description: "Give the answer, in exactly this shape.", parameters: schema))
        }
        var outputConfig: JSON?
        if case .native(let fitted)? = route {
            outputConfig = .object([("format", .object([("type", .string("json_schema")), ("schema", fitted)]))])
        }
        return .object(omittingNil: [
            ("model", .string(request.model)),
            ("max_tokens", .int(maxTokens)),
            ("system", system.isEmpty ? nil : cacheSystem ? .array([Self.textBlock(system, cached: true)]) : .string(system)),
            ("messages", .array(messages)),
            ("temperature", params.temperature.map(JSON.double)),
            ("top_p", params.topP.map(JSON.double)),
            ("top_k", params.topK.map(JSON.int)),
            ("thinking", params.reasoning?.budgetTokens.map { budget in
                .object([("type", .string("enabled")), ("budget_tokens", .int(budget))])
            }),
            ("stop_sequences", params.stop.map { .array($0.map(JSON.string)) }),
            ("tools", tools.isEmpty ? nil : .array(tools.map { tool in
                .object([("name", .string(tool.name)), ("description", .string(tool.description)), ("input_schema", tool.parameters)])
            })),
            // Structured output: the one tool the model must call, whose input is the answer.
            ("tool_choice", route == .tool ? .object([("type", .string("tool")), ("name", .string(StructuredOutput.toolName))]) : nil),
            // Structured output natively: the answer is the text, JSON of the schema's shape.
            ("output_config", outputConfig),
        ])
    }

    /// Which turns carry `cache_control`: the system prompt if marked, and the marked turns after
    /// it, at most 4 in all (Anthropic's limit). A loop can mark more turns than the workflow
    /// has marks (each pass adds one); then the latest are kept, since a later breakpoint caches
    /// a longer prefix. Indexes count the turns after the system prompt.
    static func cacheBreakpoints(_ messages: [ChatMessage]) -> (system: Bool, turns: Set<Int>) {
        let system = messages.contains { $0.role == .system && $0.cacheBreakpoint }
        let marked = messages.filter { $0.role != .system }.enumerated().filter(\.element.cacheBreakpoint).map(\.offset)
        return (system, Set(marked.suffix(4 - (system ? 1 : 0))))
    }

    /// A part of a mixed user turn: a text block, or an `image`/`document` block whose source
    /// is the file's bytes in base64, or a URL.
    static func block(_ part: MessagePart) -> JSON {
        switch part {
        case .text(let text):
            return textBlock(text, cached: false)
        case .media(let media):
            let source: JSON = media.url.map { .object([("type", .string("url")), ("url", .string($0))]) }
                ?? .object([("type", .string("base64")), ("media_type", .string(media.mediaType ?? "")), ("data", .string(Base64.encode(media.data)))])
            return .object([("type", .string(media.kind.rawValue)), ("source", source)])
        }
    }

    static func textBlock(_ text: String, cached: Bool) -> JSON {
        .object(omittingNil: [("type", .string("text")), ("text", .string(text)),
                              ("cache_control", cached ? .object([("type", .string("ephemeral"))]) : nil)])
    }

    /// The HTTP request; the key goes only into `x-api-key`.
    public func encode(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest {
        http(try body(for: request), apiKey: apiKey)
    }

    /// The request with `stream: true`.
    public func encodeStream(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest {
        http(try body(for: request).adding([("stream", .bool(true))]), apiKey: apiKey)
    }

    /// A decoder for Anthropic's named stream events.
    public func streamDecoder() -> any StreamDecoder { AnthropicStreamDecoder() }

    private func http(_ body: JSON, apiKey: String?) -> HTTPRequest {
        var headers = [Header("Content-Type", "application/json"), Header("anthropic-version", Self.version)]
        if let apiKey { headers.append(Header("x-api-key", apiKey)) }
        return HTTPRequest(method: "POST", url: baseURL + "/v1/messages", headers: headers, body: Array(body.serialized.utf8))
    }
}
