/// OpenAI chat completions (`POST {base}/chat/completions`), as pure encode and decode functions.
/// Also serves OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio, OpenRouter) under
/// the name they are configured with.
public struct OpenAIAdapter: ProviderAdapter {
    /// Which name the server reads for the output-token cap.
    public enum MaxTokensField: String, Sendable {
        /// Current OpenAI models; o-series and GPT-5 reject `max_tokens`.
        case maxCompletionTokens = "max_completion_tokens"
        /// Compatible servers such as Ollama read only this name.
        case maxTokens = "max_tokens"
    }

    /// OpenAI's API root, `/v1` included.
    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// `openai`, or the compatible server's name (it appears in messages).
    public var providerName: ProviderName
    /// The API root including `/v1`, as `OPENAI_BASE_URL` is given to OpenAI's SDK.
    public var baseURL: String
    /// Which field carries `max_tokens`.
    public var maxTokensField: MaxTokensField
    /// How a step's schema is asked for (compatible servers differ; OpenAI takes `json_schema`).
    public var structuredOutput: CompatibleStructuredOutput

    /// Chat Completions at `baseURL`; OpenAI's model rules apply only to OpenAI itself.
    public init(providerName: ProviderName = .openai, baseURL: String = OpenAIAdapter.defaultBaseURL,
                maxTokensField: MaxTokensField = .maxCompletionTokens, structuredOutput: CompatibleStructuredOutput = .jsonSchema) {
        self.providerName = providerName
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.maxTokensField = maxTokensField
        self.structuredOutput = structuredOutput
    }

    /// OpenAI's own model rules apply to the `openai` provider, not to compatible servers.
    var appliesOpenAIModelRules: Bool { providerName == .openai }

    /// Reasoning models (o-series, GPT-5) take `developer` instead of `system` and reject
    /// sampling parameters.
    public static func isReasoningModel(_ model: String) -> Bool {
        let name = model.lowercased()
        return name.hasPrefix("o1") || name.hasPrefix("o3") || name.hasPrefix("o4") || name.hasPrefix("gpt-5")
    }

    /// Emulated: the prefill goes as a trailing assistant message.
    public func prefillMode(for model: String) -> PrefillMode { .trailingAssistantMessage }

    /// Refuses what OpenAI cannot take: more than 4 stop sequences, temperature, top_p or logprobs on reasoning models.
    public func check(_ request: ChatRequest) throws(ProviderError) {
        try checkPrefill(request)
        if let stop = request.params.stop, stop.count > 4, appliesOpenAIModelRules {
            throw ProviderError(.configuration, "OpenAI takes at most 4 stop sequences; the step has \(stop.count)")
        }
        for media in Media.all(in: request.messages) {
            if media.kind == .document, !appliesOpenAIModelRules {
                throw ProviderError(.configuration, "\(providerName) is an OpenAI-compatible server, which takes images but no documents: remove the 'document:' part or run the step on openai, anthropic or gemini")
            }
            if media.kind == .document, media.url != nil {
                throw ProviderError(.configuration, "OpenAI takes a PDF as file data, not a URL: name the file in the project with document: {file: …}")
            }
            // OpenAI's documented limits: 20 MB an image, 32 MB of file content in a request.
            if let error = media.overLimit(media.kind == .image ? 20 << 20 : 32 << 20, provider: "OpenAI") { throw error }
        }
        if let reasoning = request.params.reasoning {
            if reasoning.budgetTokens != nil {
                throw ProviderError(.configuration, "\(providerName)/\(request.model) takes a reasoning effort, not budget_tokens: use reasoning: {effort: low|medium|high}")
            }
            if appliesOpenAIModelRules, !Self.isReasoningModel(request.model) {
                throw ProviderError(.configuration, "openai/\(request.model) is not a reasoning model and takes no reasoning effort: remove 'reasoning', or use o3, o4-mini or gpt-5")
            }
        }
        if request.params.topK != nil, appliesOpenAIModelRules {
            throw ProviderError(.configuration, "OpenAI has no top_k parameter: remove 'top_k' from the params of steps on openai/… (top_p is the nearest)")
        }
        guard appliesOpenAIModelRules, Self.isReasoningModel(request.model) else { return }
        let rejected = [("temperature", request.params.temperature != nil), ("top_p", request.params.topP != nil),
                        ("logprobs", request.params.wantsLogprobs),
                        ("presence_penalty", request.params.presencePenalty != nil),
                        ("frequency_penalty", request.params.frequencyPenalty != nil)]
            .filter(\.1).map(\.0)
        if !rejected.isEmpty {
            throw ProviderError(.configuration, "\(request.model) is a reasoning model and rejects \(rejected.joined(separator: " and ")): remove it from the step's params")
        }
    }
}
