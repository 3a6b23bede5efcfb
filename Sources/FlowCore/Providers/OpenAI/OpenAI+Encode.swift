extension OpenAIAdapter {
    /// The request body as sent: keys in a fixed order so golden tests compare bytes.
    public func body(for request: ChatRequest) -> JSON {
        let developer = appliesOpenAIModelRules && Self.isReasoningModel(request.model)
        var messages: [JSON] = []
        for message in request.messages {
            switch message.role {
            case .tool:
                // One `tool` message per result, answering the call with the same id.
                for result in message.toolResults {
                    messages.append(.object([("role", .string("tool")), ("tool_call_id", .string(result.callId)),
                                             ("content", .string(result.content))]))
                }
            case .assistant where !message.toolCalls.isEmpty:
                messages.append(.object([
                    ("role", .string("assistant")),
                    ("content", message.content.isEmpty ? .null : .string(message.content)),
                    ("tool_calls", .array(message.toolCalls.map { call in
                        .object([("id", .string(call.id)), ("type", .string("function")),
                                 ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments.serialized))]))])
                    })),
                ]))
            case .user where !message.parts.isEmpty:
                messages.append(.object([("role", .string("user")), ("content", .array(message.parts.map(Self.part)))]))
            default:
                // Reasoning models read instructions from the `developer` role.
                let role = message.role == .system && developer ? "developer" : message.role.rawValue
                messages.append(.object([("role", .string(role)), ("content", .string(message.content))]))
            }
        }
        if let prefill = request.prefill, !prefill.isEmpty {
            messages.append(.object([("role", .string("assistant")), ("content", .string(prefill))]))
        }
        if let schema = request.responseSchema, structuredOutput != .jsonSchema {
            // A server that cannot take the schema gets it as an instruction, after the system turns.
            let at = messages.firstIndex { $0["role"]?.string != "system" && $0["role"]?.string != "developer" } ?? messages.endIndex
            messages.insert(.object([("role", .string(developer ? "developer" : "system")), ("content", .string(StructuredOutput.instruction(schema)))]), at: at)
        }
        let params = request.params
        return .object(omittingNil: [
            ("model", .string(request.model)),
            ("messages", .array(messages)),
            ("temperature", params.temperature.map(JSON.double)),
            ("top_p", params.topP.map(JSON.double)),
            (maxTokensField.rawValue, params.maxTokens.map(JSON.int)),
            ("stop", params.stop.map { .array($0.map(JSON.string)) }),
            ("seed", params.seed.map(JSON.int)),
            ("n", params.n.map(JSON.int)),
            ("logprobs", params.wantsLogprobs ? .bool(true) : nil),
            ("top_logprobs", params.topLogprobs.map(JSON.int)),
            // Not OpenAI's (check refuses it there); vLLM and llama.cpp's server read it.
            ("top_k", params.topK.map(JSON.int)),
            ("presence_penalty", params.presencePenalty.map(JSON.double)),
            ("frequency_penalty", params.frequencyPenalty.map(JSON.double)),
            ("reasoning_effort", params.reasoning?.effort.map { .string($0.rawValue) }),
            // OpenAI caches long prefixes by itself; the key only routes. Compatible servers have none.
            ("prompt_cache_key", appliesOpenAIModelRules ? request.promptCacheKey.map(JSON.string) : nil),
            ("tools", request.tools.isEmpty ? nil : .array(request.tools.map { tool in
                .object([("type", .string("function")),
                         ("function", .object([("name", .string(tool.name)), ("description", .string(tool.description)),
                                               ("parameters", tool.parameters)]))])
            })),
            ("response_format", request.responseSchema.flatMap(responseFormat)),
        ])
    }

    /// A part of a mixed user turn: text, an `image_url` (a data URL for a file), or a `file`
    /// part holding a PDF as a data URL.
    static func part(_ part: MessagePart) -> JSON {
        switch part {
        case .text(let text):
            return .object([("type", .string("text")), ("text", .string(text))])
        case .media(let media) where media.kind == .image:
            return .object([("type", .string("image_url")), ("image_url", .object(omittingNil: [
                ("url", .string(media.url ?? media.dataURL)), ("detail", media.detail.map(JSON.string)),
            ]))])
        case .media(let media):
            let name = media.path.map { String($0.split(separator: "/").last ?? "document.pdf") } ?? "document.pdf"
            return .object([("type", .string("file")), ("file", .object([("filename", .string(name)), ("file_data", .string(media.dataURL))]))])
        }
    }

    /// What `response_format` asks for a step's schema, by the server's `structured_output:`.
    private func responseFormat(_ schema: JSON) -> JSON? {
        switch structuredOutput {
        case .jsonSchema: StructuredOutput.openAIFormat(schema, strictAllowed: appliesOpenAIModelRules)
        case .jsonObject: .object([("type", .string("json_object"))])
        case .prompt: nil
        }
    }

    /// The HTTP request. `apiKey` goes only into the Authorization header.
    public func encode(_ request: ChatRequest, apiKey: String?) -> HTTPRequest {
        http(body(for: request), apiKey: apiKey)
    }

    /// Streaming asks for usage in the last chunk, which OpenAI otherwise leaves out.
    public func encodeStream(_ request: ChatRequest, apiKey: String?) -> HTTPRequest {
        http(body(for: request).adding([("stream", .bool(true)), ("stream_options", .object([("include_usage", .bool(true))]))]),
             apiKey: apiKey)
    }

    /// A decoder for chat completion chunks.
    public func streamDecoder() -> any StreamDecoder { OpenAIStreamDecoder(providerName: providerName) }

    private func http(_ body: JSON, apiKey: String?) -> HTTPRequest {
        var headers = [Header("Content-Type", "application/json")]
        if let apiKey { headers.append(Header("Authorization", "Bearer " + apiKey)) }
        return HTTPRequest(method: "POST", url: baseURL + "/chat/completions", headers: headers, body: Array(body.serialized.utf8))
    }
}
