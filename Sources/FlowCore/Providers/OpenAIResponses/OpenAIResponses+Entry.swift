extension BuiltInProvider {
    /// OpenAI's Responses API, with OpenAI's key and address.
    static let openaiResponses = BuiltInProvider(
        name: .openaiResponses, keyVariable: "OPENAI_API_KEY", baseURLVariable: "OPENAI_BASE_URL",
        adapter: { _, base in OpenAIResponsesAdapter(baseURL: base ?? OpenAIAdapter.defaultBaseURL) })
}
