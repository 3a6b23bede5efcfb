/// Gemini generateContent (`POST {base}/v1beta/models/{model}:generateContent`), as pure encode
/// and decode functions.
public struct GeminiAdapter: ProviderAdapter {
    /// Gemini's API root.
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com"

    /// The provider's name.
    public let providerName = ProviderName.gemini
    /// The API root (`GEMINI_BASE_URL` overrides it).
    public var baseURL: String

    /// generateContent at `baseURL`.
    public init(baseURL: String = GeminiAdapter.defaultBaseURL) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Gemini documents no assistant prefill, so it is refused rather than dropped.
    public func prefillMode(for model: String) -> PrefillMode { .refused }

    /// Refuses what Gemini cannot take: an assistant prefill, more than 5 stop sequences.
    public func check(_ request: ChatRequest) throws(ProviderError) {
        try checkPrefill(request)
        if let stop = request.params.stop, stop.count > 5 {
            throw ProviderError(.configuration, "Gemini takes at most 5 stop sequences; the step has \(stop.count)")
        }
        if let schema = request.responseSchema, let problem = SchemaSubset.gemini.fit(schema).inexpressible.first {
            throw ProviderError(.configuration, "Gemini's structured output cannot express this schema: \(problem)")
        }
        if let reasoning = request.params.reasoning { try checkReasoning(reasoning, model: request.model) }
        let media = Media.all(in: request.messages)
        if let fetched = media.first(where: { $0.url != nil }) {
            throw ProviderError(.configuration, "Gemini takes images and documents inline, not by URL ('\(fetched.url ?? "")'): put the file in the project and name it with file:")
        }
        // Gemini's documented limit for inline data: 20 MB in a request.
        let total = media.reduce(0) { $0 + $1.size }
        if total > 20 << 20 {
            throw ProviderError(.configuration, "the step's images and documents are \(Media.megabytes(total)); Gemini takes at most 20.0 MB inline in a request")
        }
    }

    /// `gemini-2.5-flash` → (2, 5); `gemini-3-pro-preview` → (3, 0); nil for another name.
    static func geminiVersion(_ model: String) -> (Int, Int)? {
        let parts = model.lowercased().split(separator: "-")
        guard parts.first == "gemini", parts.count > 1 else { return nil }
        let numbers = parts[1].split(separator: ".").map { Int($0) }
        guard let major = numbers.first ?? nil else { return nil }
        return (major, numbers.count > 1 ? numbers[1] ?? 0 : 0)
    }

    /// Gemini 2.5 thinks within a token budget; Gemini 3 and later take a thinking level (and a
    /// budget, for compatibility, but not both at once); earlier models do not think.
    private func checkReasoning(_ reasoning: Reasoning, model: String) throws(ProviderError) {
        guard let version = Self.geminiVersion(model), version >= (2, 5) else {
            throw ProviderError(.configuration, "gemini/\(model) has no thinking to control: remove 'reasoning', or use Gemini 2.5 or later")
        }
        if version < (3, 0), reasoning.effort != nil {
            throw ProviderError(.configuration, "gemini/\(model) takes a thinking budget, not an effort: use reasoning: {budget_tokens: N}")
        }
        if reasoning.effort != nil, reasoning.budgetTokens != nil {
            throw ProviderError(.configuration, "gemini/\(model) takes a thinking level or a budget, not both: keep 'effort' or 'budget_tokens'")
        }
    }
}
