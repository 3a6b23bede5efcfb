/// OpenAI chat completions (`POST {base}/chat/completions`), as pure encode and decode functions.
public struct OpenAIAdapter: Sendable {
    /// Which name the server reads for the output-token cap.
    public enum MaxTokensField: String, Sendable {
        /// Current OpenAI models; o-series and GPT-5 reject `max_tokens`.
        case maxCompletionTokens = "max_completion_tokens"
        /// Compatible servers such as Ollama read only this name.
        case maxTokens = "max_tokens"
    }

    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// The API root including `/v1`, as `OPENAI_BASE_URL` is given to OpenAI's SDK.
    public var baseURL: String
    public var maxTokensField: MaxTokensField

    public init(baseURL: String = OpenAIAdapter.defaultBaseURL, maxTokensField: MaxTokensField = .maxCompletionTokens) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.maxTokensField = maxTokensField
    }
}
