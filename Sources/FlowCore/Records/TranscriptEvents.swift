import FlowTemplate

/// The fields of each transcript event, built from run values. Pure, so the format is tested
/// without a file; docs/transcript.md documents it.
enum TranscriptEvents {
    static func request(_ request: ChatRequest, step: String, provider: any ChatProvider) -> [(String, JSON)] {
        JSON.object(omittingNil: [
            ("step", .string(step)),
            ("provider", .string(provider.name.rawValue)),
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

    static func stepStart(_ step: String, model: ModelRef) -> [(String, JSON)] {
        [("step", .string(step)), ("model", .string(model.description))]
    }

    static func retry(_ retry: RetryAttempt, step: String) -> [(String, JSON)] {
        [("step", .string(step)), ("attempt", .int(retry.attempt)), ("status", retry.error.status.map(JSON.int) ?? .null),
         ("error", .string(retry.error.description)), ("delay_s", .double((retry.delay * 1000).rounded() / 1000))]
    }

    static func rateLimitWait(_ wait: RateWait, step: String) -> [(String, JSON)] {
        [("step", .string(step)), ("reason", .string(wait.reason.rawValue)), ("status", wait.status.map(JSON.int) ?? .null),
         ("seconds", .double((wait.seconds * 1000).rounded() / 1000))]
    }

    /// The branch a step took for `reason`: `action`, whether it was the default, and why
    /// (`condition`, `confidence`).
    static func branch(step: String, reason: BranchReason, action: String, isDefault: Bool, why: [(String, JSON)]) -> [(String, JSON)] {
        [("step", .string(step)), ("finish_reason", .string(reason.rawValue)), ("action", .string(action)), ("default", .bool(isDefault))] + why
    }

    /// A chat's end at its prompt, as a branch: the exit word typed (`input`), or input ended.
    static func chatEnd(step: String, typed: String?) -> [(String, JSON)] {
        [("step", .string(step)), ("finish_reason", .string(typed == nil ? "end_of_input" : "exit")), ("action", .string("end")),
         ("default", .bool(false))] + (typed.map { [("input", JSON.string($0))] } ?? [])
    }

    static func input(_ text: String, step: String) -> [(String, JSON)] {
        [("step", .string(step)), ("text", .string(text))]
    }

    static func contextTrim(step: String, removed: Int, before: Int, after: Int) -> [(String, JSON)] {
        [("step", .string(step)), ("removed_messages", .int(removed)), ("estimated_tokens_before", .int(before)),
         ("estimated_tokens_after", .int(after))]
    }

    static func toolCall(_ call: ToolCall, step: String) -> [(String, JSON)] {
        [("step", .string(step)), ("id", .string(call.id)), ("name", .string(call.name)), ("arguments", call.arguments)]
    }

    static func toolResult(_ call: ToolCall, content: String, isError: Bool, step: String) -> [(String, JSON)] {
        [("step", .string(step)), ("id", .string(call.id)), ("name", .string(call.name)), ("content", .string(content)),
         ("is_error", .bool(isError))]
    }

    static func warning(_ message: String, step: String?) -> [(String, JSON)] {
        (step.map { [("step", JSON.string($0))] } ?? []) + [("message", .string(message))]
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
