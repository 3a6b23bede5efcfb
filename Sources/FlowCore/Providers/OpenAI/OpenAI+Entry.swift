extension BuiltInProvider {
    /// OpenAI's chat completions; the models only the Responses API serves go there from
    /// `openai/` too (and have no Batch API client here).
    static let openai = BuiltInProvider(
        name: .openai, keyVariable: "OPENAI_API_KEY", baseURLVariable: "OPENAI_BASE_URL",
        adapter: { model, base in
            let address = base ?? OpenAIAdapter.defaultBaseURL
            if OpenAIResponsesAdapter.requiresResponses(model) { return OpenAIResponsesAdapter(baseURL: address) }
            return OpenAIAdapter(baseURL: address)
        },
        batchClient: { adapter, key, transport in
            (adapter as? OpenAIAdapter).map { OpenAIBatches(adapter: $0, apiKey: key, transport: transport) }
        })
}
