extension BuiltInProvider {
    /// Google's Gemini API and its batch mode.
    static let gemini = BuiltInProvider(
        name: .gemini, keyVariable: "GEMINI_API_KEY", baseURLVariable: "GEMINI_BASE_URL",
        adapter: { _, base in GeminiAdapter(baseURL: base ?? GeminiAdapter.defaultBaseURL) },
        batchClient: { adapter, key, transport in
            (adapter as? GeminiAdapter).map { GeminiBatches(adapter: $0, apiKey: key, transport: transport) }
        })
}
