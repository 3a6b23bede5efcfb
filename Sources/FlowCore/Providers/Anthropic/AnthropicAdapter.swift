/// Anthropic messages (`POST {base}/v1/messages`), as pure encode and decode functions.
public struct AnthropicAdapter: ProviderAdapter {
    /// Anthropic's API root.
    public static let defaultBaseURL = "https://api.anthropic.com"
    /// The `anthropic-version` header flow sends.
    public static let version = "2023-06-01"

    /// The provider's name.
    public let providerName = "anthropic"
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
        if let prefill = request.prefill, prefill.last?.isWhitespace == true {
            throw ProviderError(.configuration, "Anthropic rejects a prefill that ends with whitespace: trim the end of 'prefill'")
        }
    }
}
