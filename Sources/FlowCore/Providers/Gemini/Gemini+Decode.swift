extension GeminiAdapter {
    /// Reads a `GenerateContentResponse`. A prompt blocked before generation comes back as
    /// HTTP 200 with no candidates and a `promptFeedback` (a `blockReason`, or only a
    /// `blockReasonMessage`): that is a content filter, not an empty answer. An answer with no
    /// candidate and no feedback is the `other` finish, so a workflow can branch on it rather than
    /// fail with a provider error. Thought parts are not part of the answer.
    public func decodeBody(_ response: HTTPResponse, json parsed: JSON?) throws(ProviderError) -> ChatResponse {
        guard (200..<300).contains(response.status) else { throw httpError(response) }
        let json: JSON
        if let parsed { json = parsed } else { json = try HTTPErrors.json(response, from: "Gemini") }
        let usage = try Self.usage(json["usageMetadata"])
        let model = json["modelVersion"]?.string
        // With `candidateCount` the answer is the candidate at index 0.
        let candidates = (json["candidates"]?.array ?? []).inIndexOrder
        guard let candidate = candidates.first else {
            if let blocked = Self.promptBlock(json["promptFeedback"]) {
                return ChatResponse(content: "", finishReason: .contentFilter(raw: blocked), usage: usage, model: model)
            }
            return ChatResponse(content: "", finishReason: .other(raw: "no_candidates"), usage: usage, model: model)
        }
        // A candidate may have no content at all (MAX_TOKENS spent on thinking, SAFETY).
        let parts = candidate["content"]?["parts"]?.array ?? []
        let text = parts.filter { $0["thought"] != .bool(true) }.compactMap { $0["text"]?.string }.joined()
        let calls = parts.contains { $0["functionCall"] != nil }
        let raw = candidate["finishReason"]?.string ?? "null"
        // Gemini gives calls no ids; flow numbers them to pair each result with its call.
        let toolCalls = parts.filter { $0["functionCall"] != nil }.enumerated().compactMap { index, part -> ToolCall? in
            guard let name = part["functionCall"]?["name"]?.string else { return nil }
            return ToolCall(id: "call_\(index + 1)", name: name, arguments: part["functionCall"]?["args"] ?? .object([]),
                            signature: part["thoughtSignature"]?.string)
        }
        var decoded = ChatResponse(content: text, finishReason: Self.finishReason(raw, functionCall: calls), usage: usage, model: model,
                                   logprobs: Self.logprobs(candidate["logprobsResult"]), toolCalls: toolCalls)
        // `candidateCount` > 1: every candidate's text, in index order; the first is the answer.
        if candidates.count > 1 {
            decoded.choices = candidates.map { candidate in
                (candidate["content"]?["parts"]?.array ?? []).filter { $0["thought"] != .bool(true) }.compactMap { $0["text"]?.string }.joined()
            }
        }
        return decoded
    }

    /// The raw finish of a blocked prompt, `prompt_blocked:` with whatever came (the reason, the
    /// message, or both); nil when the feedback says nothing was blocked.
    static func promptBlock(_ feedback: JSON?) -> String? {
        let reason = feedback?["blockReason"]?.string, message = feedback?["blockReasonMessage"]?.string
        guard reason != nil || message != nil else { return nil }
        return "prompt_blocked:" + [reason, message].compactMap { $0 }.joined(separator: ": ")
    }

    /// `logprobsResult`: `chosenCandidates[i]` is the token chosen at step i, `topCandidates[i]`
    /// its alternatives; probabilities are `logProbability`.
    static func logprobs(_ json: JSON?) -> [TokenLogprob]? {
        guard let chosen = json?["chosenCandidates"]?.array else { return nil }
        let tops = json?["topCandidates"]?.array ?? []
        return chosen.enumerated().compactMap { index, item in
            guard let token = item["token"]?.string, let logprob = item["logProbability"]?.double else { return nil }
            let alternatives = (index < tops.count ? tops[index]["candidates"]?.array ?? [] : []).compactMap { alternative -> TokenLogprob.Alternative? in
                guard let token = alternative["token"]?.string, let logprob = alternative["logProbability"]?.double else { return nil }
                return TokenLogprob.Alternative(token: token, logprob: logprob)
            }
            return TokenLogprob(token: token, logprob: logprob, top: alternatives)
        }
    }

    static func finishReason(_ raw: String, functionCall: Bool) -> FinishReason {
        switch raw {
        case "STOP": return functionCall ? .toolCalls(raw: raw) : .stop(raw: raw)
        case "MAX_TOKENS": return .length(raw: raw)
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": return .contentFilter(raw: raw)
        default: return .other(raw: raw)
        }
    }

    /// `promptTokenCount` includes cached content; `candidatesTokenCount` leaves out thoughts,
    /// which flow adds to output (they bill as output).
    static func usage(_ json: JSON?) throws(ProviderError) -> Usage {
        guard let json else { return Usage() }
        let thoughts = try TokenCount.read(json, "thoughtsTokenCount", provider: "Gemini")
        return Usage(inputTokens: try TokenCount.read(json, "promptTokenCount", provider: "Gemini"),
                     outputTokens: try TokenCount.read(json, "candidatesTokenCount", provider: "Gemini") + thoughts,
                     cachedInputTokens: try TokenCount.read(json, "cachedContentTokenCount", provider: "Gemini"),
                     reasoningTokens: thoughts)
    }

    /// Gemini retries 408, 429, 500, 502, 503 and 504; a bad key is a 400, never retried.
    func httpError(_ response: HTTPResponse) -> ProviderError {
        let body = try? JSON.parse(response.body)
        var message = "Gemini answered HTTP \(response.status)"
        if let detail = body?["error"]?["message"]?.string { message += ": " + detail }
        let status = body?["error"]?["status"]?.string
        if let status { message += " (\(status))" }
        return ProviderError(.http, message, status: response.status, errorType: status, requestId: nil,
                             retryable: [408, 429, 500, 502, 503, 504].contains(response.status),
                             retryAfter: HTTPErrors.retryAfter(response.headers))
    }
}
