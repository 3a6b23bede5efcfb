extension GeminiAdapter {
    /// The body: `contents` with roles `user` and `model`, `systemInstruction`, and sampling in
    /// `generationConfig`.
    public func body(for request: ChatRequest) throws(ProviderError) -> JSON {
        try checkPrefill(request)
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        let contents = request.messages.filter { $0.role != .system }.map { message -> JSON in
            var parts: [JSON] = message.content.isEmpty && message.role != .user ? [] : [.object([("text", .string(message.content))])]
            if !message.parts.isEmpty {
                // A mixed turn: text and inline data in the order written.
                parts = message.parts.map { part in
                    switch part {
                    case .text(let text): return .object([("text", .string(text))])
                    case .media(let media):
                        return .object([("inlineData", .object([("mimeType", .string(media.mediaType ?? "")), ("data", .string(Base64.encode(media.data)))]))])
                    }
                }
            }
            for call in message.toolCalls {
                // The thought signature goes back with the call, as Gemini's documentation asks.
                parts.append(.object(omittingNil: [
                    ("functionCall", .object([("name", .string(call.name)), ("args", call.arguments)])),
                    ("thoughtSignature", call.signature.map(JSON.string)),
                ]))
            }
            for result in message.toolResults {
                let key = result.isError ? "error" : "result"
                parts.append(.object([("functionResponse", .object([("name", .string(result.name)),
                                                                    ("response", .object([(key, .string(result.content))]))]))]))
            }
            return .object([("role", .string(message.role == .assistant ? "model" : "user")), ("parts", .array(parts))])
        }
        let params = request.params
        let config = JSON.object(omittingNil: [
            ("temperature", params.temperature.map(JSON.double)),
            ("topP", params.topP.map(JSON.double)),
            ("topK", params.topK.map(JSON.int)),
            ("presencePenalty", params.presencePenalty.map(JSON.double)),
            ("frequencyPenalty", params.frequencyPenalty.map(JSON.double)),
            ("maxOutputTokens", params.maxTokens.map(JSON.int)),
            ("stopSequences", params.stop.map { .array($0.map(JSON.string)) }),
            ("seed", params.seed.map(JSON.int)),
            ("candidateCount", params.n.map(JSON.int)),
            ("responseLogprobs", params.wantsLogprobs ? .bool(true) : nil),
            ("logprobs", params.topLogprobs.map(JSON.int)),
            ("thinkingConfig", params.reasoning.map { reasoning in
                .object(omittingNil: [("thinkingBudget", reasoning.budgetTokens.map(JSON.int)),
                                      ("thinkingLevel", reasoning.effort.map { .string($0.rawValue) })])
            }),
            ("responseMimeType", request.responseSchema == nil ? nil : .string("application/json")),
            // Fitted to the keywords Gemini reads; what it cannot read is described, and checked by flow.
            ("responseJsonSchema", request.responseSchema.map { SchemaSubset.gemini.fit($0).schema }),
        ])
        return .object(omittingNil: [
            ("contents", .array(contents)),
            ("tools", request.tools.isEmpty ? nil : .array([.object([("functionDeclarations", .array(request.tools.map { tool in
                .object([("name", .string(tool.name)), ("description", .string(tool.description)), ("parameters", tool.parameters)])
            }))])])),
            ("systemInstruction", system.isEmpty ? nil : .object([("parts", .array([.object([("text", .string(system))])]))])),
            ("generationConfig", config.pairs.isEmpty ? nil : config),
        ])
    }

    /// The HTTP request; the key goes only into `x-goog-api-key`, never the URL.
    public func encode(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest {
        http("\(baseURL)/v1beta/models/\(request.model):generateContent", try body(for: request), apiKey: apiKey)
    }

    /// The request to `streamGenerateContent?alt=sse`.
    public func encodeStream(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest {
        http("\(baseURL)/v1beta/models/\(request.model):streamGenerateContent?alt=sse", try body(for: request), apiKey: apiKey)
    }

    /// A decoder for Gemini's whole-response stream events.
    public func streamDecoder() -> any StreamDecoder { GeminiStreamDecoder() }

    private func http(_ url: String, _ body: JSON, apiKey: String?) -> HTTPRequest {
        var headers = [Header("Content-Type", "application/json")]
        if let apiKey { headers.append(Header("x-goog-api-key", apiKey)) }
        return HTTPRequest(method: "POST", url: url, headers: headers, body: Array(body.serialized.utf8))
    }
}
