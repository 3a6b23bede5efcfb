/// Gemini generateContent (`POST {base}/v1beta/models/{model}:generateContent`), as pure encode
/// and decode functions.
public struct GeminiAdapter: ProviderAdapter {
    /// Gemini's API root.
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com"

    /// The provider's name.
    public let providerName = "gemini"
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
    }
}
