import FlowTemplate

/// The fields of each transcript event, built from run values. Pure, so the format is tested
/// without a file; docs/transcript.md documents it.
enum TranscriptEvents {
    static func request(_ request: ChatRequest, step: String, provider: any ChatProvider) -> [(String, JSON)] {
        JSON.object(omittingNil: [
            ("step", .string(step)),
            ("provider", .string(provider.name)),
            ("model", .string(request.model)),
            ("messages", .array(request.messages.map { message in
                .object(omittingNil: [("role", .string(message.role.rawValue)), ("content", .string(message.content)),
                                      ("media", Media.all(in: [message]).isEmpty ? nil : .array(Media.all(in: [message]).map(\.record)))])
            })),
            ("prefill", request.prefill.map(JSON.string)),
            ("prefill_mode", request.prefill.map { _ in .string(provider.prefillMode(for: request.model).rawValue) }),
            ("params", params(request.params)),
            // The body as sent, with no key (keys travel only in headers, which are not recorded)
            // and no image or document bytes: those stand as their type, size and digest.
            ("wire", provider.wire(request).map { http in
                let body = (try? JSON.parse(http.body)) ?? .string(String(decoding: http.body, as: UTF8.self))
                return .object([("method", .string(http.method)), ("url", .string(Redaction.url(http.url))),
                                ("body", Media.withoutBytes(body, media: Media.all(in: request.messages)))])
            }),
        ]).pairs
    }

    static func response(_ response: ChatResponse, step: String, latencyMs: Double) -> [(String, JSON)] {
        JSON.object(omittingNil: [
            ("step", .string(step)),
            ("finish_reason", .string(response.finishReason.name)),
            ("finish_reason_raw", .string(response.finishReason.raw)),
            ("content", .string(response.content)),
            ("reasoning", response.reasoning.map(JSON.string)),
            ("choices", response.choices.isEmpty ? nil : .array(response.choices.map(JSON.string))),
            ("model", response.model.map(JSON.string)),
            ("usage", usage(response.usage)),
            ("latency_ms", .double((latencyMs * 1000).rounded() / 1000)),
            ("logprobs", response.logprobs.map(logprobs)),
            ("raw", response.raw),
        ]).pairs
    }

    /// The cost fields of a response: `mode` says where it came from; `cost_usd` is money spent
    /// (0 for a replayed or scripted answer, whose list price is `recorded_cost_usd`).
    static func cost(_ cost: Double?, origin: CallOrigin) -> [(String, JSON)] {
        let price = cost.map(JSON.double) ?? .null
        if origin == .live { return [("mode", .string(origin.rawValue)), ("cost_usd", price)] }
        return [("mode", .string(origin.rawValue)), ("cost_usd", .double(0)), ("recorded_cost_usd", price)]
    }

    static func logprobs(_ tokens: [TokenLogprob]) -> JSON {
        .array(tokens.map { token in
            .object([("token", .string(token.token)), ("logprob", .double(token.logprob)),
                     ("top", .array(token.top.map { .object([("token", .string($0.token)), ("logprob", .double($0.logprob))]) }))])
        })
    }

    static func params(_ params: SamplingParams) -> JSON {
        .object(omittingNil: [
            ("temperature", params.temperature.map(JSON.double)),
            ("top_p", params.topP.map(JSON.double)),
            ("max_tokens", params.maxTokens.map(JSON.int)),
            ("stop", params.stop.map { .array($0.map(JSON.string)) }),
            ("seed", params.seed.map(JSON.int)),
            ("logprobs", params.logprobs.map(JSON.bool)),
            ("top_logprobs", params.topLogprobs.map(JSON.int)),
            ("top_k", params.topK.map(JSON.int)),
            ("presence_penalty", params.presencePenalty.map(JSON.double)),
            ("frequency_penalty", params.frequencyPenalty.map(JSON.double)),
            ("reasoning", params.reasoning?.json),
            ("n", params.n.map(JSON.int)),
        ])
    }

    static func usage(_ usage: Usage) -> JSON {
        .object([
            ("input_tokens", .int(usage.inputTokens)),
            ("output_tokens", .int(usage.outputTokens)),
            ("cached_input_tokens", .int(usage.cachedInputTokens)),
            ("cache_write_tokens", .int(usage.cacheWriteTokens)),
            ("reasoning_tokens", .int(usage.reasoningTokens)),
        ])
    }
}
