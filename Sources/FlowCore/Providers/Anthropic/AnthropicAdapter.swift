/// Anthropic messages (`POST {base}/v1/messages`), as pure encode and decode functions.
public struct AnthropicAdapter: ProviderAdapter {
    /// Anthropic's API root.
    public static let defaultBaseURL = "https://api.anthropic.com"
    /// The `anthropic-version` header flow sends.
    public static let version = "2023-06-01"

    /// The provider's name.
    public let providerName = ProviderName.anthropic
    /// Messages has no `n`: several answers are that many calls, merged.
    public var choicesNative: Bool { false }
    /// The API root (`ANTHROPIC_BASE_URL` overrides it).
    public var baseURL: String

    /// Messages API at `baseURL`.
    public init(baseURL: String = AnthropicAdapter.defaultBaseURL) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Claude continues a trailing assistant turn, except from Claude 4.6 on, which answers a
    /// prefill with HTTP 400; flow refuses it before sending rather than fail at the provider.
    public func prefillMode(for model: String) -> PrefillMode {
        guard let version = Self.claudeVersion(model) else { return .native }
        return version >= (4, 6) ? .refused : .native
    }

    /// Extended thinking, by Anthropic's rules: Claude 3.7 and later; a budget of at least 1,024
    /// tokens and less than `max_tokens`; no temperature, no top_k, top_p only from 0.95 to 1; no
    /// prefill, and no forced tool (so a schema goes by the native route or not at all).
    private func checkThinking(_ reasoning: Reasoning, _ request: ChatRequest) throws(ProviderError) {
        let model = "anthropic/\(request.model)"
        guard let version = Self.claudeVersion(request.model), version >= (3, 7) else {
            throw ProviderError(.configuration, "\(model) has no extended thinking: remove 'reasoning', or use Claude 3.7 Sonnet or a Claude 4 model")
        }
        guard let budget = reasoning.budgetTokens else {
            throw ProviderError(.configuration, "\(model) thinks within a token budget, not an effort: use reasoning: {budget_tokens: N} (at least 1024, less than max_tokens)")
        }
        if budget < 1024 {
            throw ProviderError(.configuration, "\(model) takes a thinking budget of at least 1024 tokens; the step asks for \(budget)")
        }
        if let maxTokens = request.params.maxTokens, budget >= maxTokens {
            throw ProviderError(.configuration, "\(model)'s thinking budget (\(budget)) must be less than max_tokens (\(maxTokens)): raise max_tokens or lower budget_tokens")
        }
        let rejected = [("temperature", request.params.temperature != nil), ("top_k", request.params.topK != nil),
                        ("top_p below 0.95", (request.params.topP ?? 1) < 0.95)].filter(\.1).map(\.0)
        if !rejected.isEmpty {
            throw ProviderError(.configuration, "\(model) takes no \(rejected.joined(separator: " or ")) while thinking: remove it from the step's params")
        }
        if request.prefill != nil {
            throw ProviderError(.configuration, "\(model) takes no prefill while thinking: remove 'prefill' or 'reasoning'")
        }
        if let schema = request.responseSchema, StructuredOutput.anthropicRoute(schema, model: request.model) == .tool {
            throw ProviderError(.configuration, "\(model) cannot think and be forced to answer through a tool: this schema needs the tool route "
                                + "(an older model, an open object or recursion); remove 'reasoning' or use Claude 4.5 or later with a closed schema")
        }
    }

    /// `claude-sonnet-4-5-20250929` → (4, 5); `claude-3-7-sonnet-latest` → (3, 7); nil if unknown.
    static func claudeVersion(_ model: String) -> (Int, Int)? {
        let parts = model.lowercased().split(separator: "-")
        guard parts.first == "claude" else { return nil }
        let numbers = parts.dropFirst().compactMap { $0.count <= 2 ? Int($0) : nil }
        guard let major = numbers.first else { return nil }
        return (major, numbers.count > 1 ? numbers[1] : 0)
    }

    /// Refuses what Anthropic cannot take: a request without `max_tokens`, seeds, logprobs, a refused prefill.
    public func check(_ request: ChatRequest) throws(ProviderError) {
        try checkPrefill(request)
        if let schema = request.responseSchema {
            if StructuredOutput.anthropicRoute(schema, model: request.model) == .tool {
                // The answer comes as a forced tool's input, which Anthropic takes only as an object.
                guard schema["type"]?.string == "object" else {
                    throw ProviderError(.configuration, "\(request.model) gives structured output through a tool, whose input must be an object: "
                                        + "make the schema's root {type: object, properties: …} (wrap a list or a value in a property), "
                                        + "or use Claude 4.5 or later with a schema it can take natively (closed objects, no recursion)")
                }
            }
            if request.prefill != nil {
                throw ProviderError(.configuration, "a step with a schema on Anthropic cannot have a prefill: the answer's shape comes from the schema")
            }
        }
        if request.params.maxTokens == nil {
            throw ProviderError(.configuration, "Anthropic requires max_tokens: set it in the workflow's or the step's params")
        }
        // Anthropic documents temperature from 0 to 1 (OpenAI's and Gemini's go to 2).
        if let temperature = request.params.temperature, temperature > 1 {
            throw ProviderError(.configuration, "Anthropic takes a temperature from 0 to 1; the step asks for \(temperature): lower 'temperature' to 1 or less")
        }
        if request.params.wantsLogprobs {
            throw ProviderError(.configuration, "Anthropic returns no log probabilities: remove 'logprobs' and 'top_logprobs' from the params of steps on anthropic/…")
        }
        if request.params.seed != nil {
            throw ProviderError(.configuration, "Anthropic has no seed parameter: remove 'seed' from the params of steps on anthropic/…")
        }
        let penalties = [("presence_penalty", request.params.presencePenalty), ("frequency_penalty", request.params.frequencyPenalty)]
            .filter { $0.1 != nil }.map(\.0)
        if !penalties.isEmpty {
            throw ProviderError(.configuration, "Anthropic has no \(penalties.joined(separator: " or ")): remove it from the params of steps on anthropic/…")
        }
        if let reasoning = request.params.reasoning { try checkThinking(reasoning, request) }
        // Anthropic's documented limits: 5 MB an image, 32 MB a request with PDFs.
        for media in Media.all(in: request.messages) {
            if let error = media.overLimit(media.kind == .image ? 5 << 20 : 32 << 20, provider: "Anthropic") { throw error }
        }
        if let prefill = request.prefill, prefill.last?.isWhitespace == true {
            throw ProviderError(.configuration, "Anthropic rejects a prefill that ends with whitespace: trim the end of 'prefill'")
        }
    }
}
