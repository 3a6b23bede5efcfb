extension OpenAIAdapter {
    /// Reads a chat completion, or the error body of a failed call.
    ///
    /// Throws `ProviderError` `.http` for a non-2xx status (with the provider's message), and
    /// `.decode` for a body that is not a chat completion. Unknown fields are ignored.
    public func decodeBody(_ response: HTTPResponse, json parsed: JSON?) throws(ProviderError) -> ChatResponse {
        guard (200..<300).contains(response.status) else { throw httpError(response) }
        let json: JSON
        if let parsed { json = parsed } else { json = try HTTPErrors.json(response, from: (appliesOpenAIModelRules ? "OpenAI" : providerName)) }
        // With `n` the choices may come in any order; the answer is the one at index 0.
        let all = (json["choices"]?.array ?? []).inIndexOrder
        guard let choice = all.first else {
            throw ProviderError(.decode, "\(appliesOpenAIModelRules ? "OpenAI" : providerName)'s answer has no choices", status: response.status)
        }
        let message = choice["message"]
        let rawReason = choice["finish_reason"]?.string ?? "null"
        var reason = Self.finishReason(rawReason)
        var content = message?["content"]?.string ?? ""
        // A refusal arrives as its own field with the finish reason often still `stop`; flow
        // treats it as filtered so a refusal never passes as an answer.
        if let refusal = message?["refusal"]?.string {
            reason = .contentFilter(raw: rawReason)
            if content.isEmpty { content = refusal }
        }
        var decoded = ChatResponse(content: content, finishReason: reason, usage: try Self.usage(json["usage"]),
                                   model: json["model"]?.string, logprobs: Self.logprobs(choice["logprobs"]),
                                   toolCalls: Self.toolCalls(message?["tool_calls"]))
        if all.count > 1 { decoded.choices = all.map { $0["message"]?["content"]?.string ?? $0["message"]?["refusal"]?.string ?? "" } }
        return decoded
    }

    static func finishReason(_ raw: String) -> FinishReason { FinishReason(named: raw) }

    /// `message.tool_calls[]`; `arguments` is a JSON string (kept as a string if it does not parse).
    static func toolCalls(_ json: JSON?) -> [ToolCall] {
        (json?.array ?? []).compactMap { call in
            guard let id = call["id"]?.string, let name = call["function"]?["name"]?.string else { return nil }
            let raw = call["function"]?["arguments"]?.string ?? "{}"
            return ToolCall(id: id, name: name, arguments: (try? JSON.parse(raw)) ?? .string(raw))
        }
    }

    /// `choices[].logprobs.content[]`: token, logprob, and `top_logprobs` alternatives.
    static func logprobs(_ json: JSON?) -> [TokenLogprob]? {
        guard let items = json?["content"]?.array else { return nil }
        return items.compactMap { item in
            guard let token = item["token"]?.string, let logprob = item["logprob"]?.double else { return nil }
            let top = (item["top_logprobs"]?.array ?? []).compactMap { alternative -> TokenLogprob.Alternative? in
                guard let token = alternative["token"]?.string, let logprob = alternative["logprob"]?.double else { return nil }
                return TokenLogprob.Alternative(token: token, logprob: logprob)
            }
            return TokenLogprob(token: token, logprob: logprob, top: top)
        }
    }

    /// OpenAI's usage, cached input and reasoning output in their details. Chat Completions names
    /// the two sides `prompt`/`completion`; the Responses API `input`/`output`.
    static func usage(_ json: JSON?, input: String = "prompt", output: String = "completion") throws(ProviderError) -> Usage {
        guard let json, !json.isNull else { return Usage() }
        return Usage(inputTokens: try TokenCount.read(json, "\(input)_tokens", provider: "OpenAI"),
                     outputTokens: try TokenCount.read(json, "\(output)_tokens", provider: "OpenAI"),
                     cachedInputTokens: try TokenCount.read(value: json["\(input)_tokens_details"]?["cached_tokens"],
                                                            field: "\(input)_tokens_details.cached_tokens", provider: "OpenAI"),
                     reasoningTokens: try TokenCount.read(value: json["\(output)_tokens_details"]?["reasoning_tokens"],
                                                          field: "\(output)_tokens_details.reasoning_tokens", provider: "OpenAI"))
    }

    func httpError(_ response: HTTPResponse) -> ProviderError {
        let body = try? JSON.parse(response.body)
        let who = appliesOpenAIModelRules ? "OpenAI" : providerName
        var message = "\(who) answered HTTP \(response.status)"
        if let detail = body?["error"]?["message"]?.string { message += ": " + detail }
        let code = body?["error"]?["code"]?.string ?? body?["error"]?["type"]?.string
        if let code { message += " (\(code))" }
        if code == "insufficient_quota" {
            message += " — the account's quota or credit is spent, and waiting will not lift it: check the plan and billing of the key's project"
        }
        // A 429 for an exhausted quota is permanent: retrying only burns time.
        let retryable = HTTPErrors.isRetryable(response.status) && code != "insufficient_quota"
        return ProviderError(.http, message, status: response.status, errorType: code,
                             requestId: response.headers["x-request-id"], retryable: retryable,
                             retryAfter: HTTPErrors.retryAfter(response.headers))
    }
}
