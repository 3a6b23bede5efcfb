/// OpenAI's Responses API (`POST {base}/responses`), as pure encode and decode functions:
/// `openai-responses/MODEL`, and the default for the OpenAI models only Responses serves. flow
/// owns the conversation, so it sends the whole history as `input` items with `store: false`
/// and never a `previous_response_id`.
public struct OpenAIResponsesAdapter: ProviderAdapter {
    /// The provider's name.
    public let providerName = ProviderName.openaiResponses
    /// The API root including `/v1` (`OPENAI_BASE_URL`, shared with Chat Completions).
    public var baseURL: String

    /// OpenAI models served only by the Responses API: `openai/` steps on them go there.
    public static let responsesOnlyModels: Set<String> = ["o1-pro", "o3-pro", "o3-deep-research", "o4-mini-deep-research",
                                                          "gpt-5-pro", "codex-mini-latest", "computer-use-preview"]

    /// Whether `model` (a dated snapshot included) is served only by the Responses API.
    public static func requiresResponses(_ model: String) -> Bool {
        responsesOnlyModels.contains { model == $0 || model.hasPrefix($0 + "-20") }
    }

    /// Responses at `baseURL`.
    public init(baseURL: String = OpenAIAdapter.defaultBaseURL) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// The Chat Completions adapter at the same address, for what the two share: OpenAI's model
    /// rules and its error bodies.
    var chat: OpenAIAdapter { OpenAIAdapter(baseURL: baseURL) }

    /// Emulated as in Chat Completions: a trailing assistant item the model reads as history.
    public func prefillMode(for model: String) -> PrefillMode { .trailingAssistantMessage }

    /// Refuses what Responses cannot take: stop sequences, a seed, logprobs and penalties (none
    /// of them are Responses parameters), and whatever OpenAI's model rules refuse.
    public func check(_ request: ChatRequest) throws(ProviderError) {
        let params = request.params
        let absent = [("stop", params.stop != nil), ("seed", params.seed != nil), ("logprobs", params.wantsLogprobs), ("n", (params.n ?? 1) > 1),
                      ("presence_penalty", params.presencePenalty != nil), ("frequency_penalty", params.frequencyPenalty != nil)]
            .filter(\.1).map(\.0)
        if !absent.isEmpty {
            throw ProviderError(.configuration, "the Responses API has no \(absent.joined(separator: ", ")): remove it from the params of steps on \(providerName)/\(request.model), or use openai/\(request.model) (Chat Completions)")
        }
        do {
            try chat.check(request)
        } catch {
            throw ProviderError(error.kind, error.message.replacingOccurrences(of: "openai/", with: "\(providerName)/"))
        }
    }

    /// The HTTP request; the key goes only into `Authorization`.
    public func encode(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest {
        http(body(for: request), apiKey: apiKey)
    }

    /// The request with `stream: true`.
    public func encodeStream(_ request: ChatRequest, apiKey: String?) throws(ProviderError) -> HTTPRequest {
        http(body(for: request).adding([("stream", .bool(true))]), apiKey: apiKey)
    }

    /// A decoder for Responses' typed stream events.
    public func streamDecoder() -> any StreamDecoder { OpenAIResponsesStreamDecoder() }

    private func http(_ body: JSON, apiKey: String?) -> HTTPRequest {
        var headers = [Header("Content-Type", "application/json")]
        if let apiKey { headers.append(Header("Authorization", "Bearer " + apiKey)) }
        return HTTPRequest(method: "POST", url: baseURL + "/responses", headers: headers, body: Array(body.serialized.utf8))
    }
}
