/// Gemini generateContent (`POST {base}/v1beta/models/{model}:generateContent`), as pure encode
/// and decode functions.
public struct GeminiAdapter: ProviderAdapter {
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com"

    public let providerName = "gemini"
    public var baseURL: String

    public init(baseURL: String = GeminiAdapter.defaultBaseURL) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Gemini documents no assistant prefill, so it is refused rather than dropped.
    public func prefillMode(for model: String) -> PrefillMode { .refused }

    public func check(_ request: ChatRequest) throws(ProviderError) {
        try checkPrefill(request)
        if let stop = request.params.stop, stop.count > 5 {
            throw ProviderError(.configuration, "Gemini takes at most 5 stop sequences; the step has \(stop.count)")
        }
    }
}
