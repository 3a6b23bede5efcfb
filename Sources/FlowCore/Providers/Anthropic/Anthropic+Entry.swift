extension BuiltInProvider {
    /// Anthropic's messages and Message Batches.
    static let anthropic = BuiltInProvider(
        name: .anthropic, keyVariable: "ANTHROPIC_API_KEY", baseURLVariable: "ANTHROPIC_BASE_URL",
        adapter: { _, base in AnthropicAdapter(baseURL: base ?? AnthropicAdapter.defaultBaseURL) },
        batchClient: { adapter, key, transport in
            (adapter as? AnthropicAdapter).map { AnthropicBatches(adapter: $0, apiKey: key, transport: transport) }
        })
}
