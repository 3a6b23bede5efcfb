/// Builds providers from `provider/model` references and the environment. An explicit table:
/// every name in `WorkflowDecoder.knownProviders` has a case here (a test checks it).
public struct ProviderRegistry: Sendable {
    public var environment: [String: String]
    public var transport: any HTTPTransport
    public var mockReplies: [MockReply]
    private let mock: MockProvider

    public init(environment: [String: String], transport: any HTTPTransport, mockReplies: [MockReply]) {
        self.environment = environment
        self.transport = transport
        self.mockReplies = mockReplies
        // One mock for the whole run, so replies are served in order across steps.
        self.mock = MockProvider(replies: mockReplies)
    }

    /// The provider for `ref`. Throws `.missingKey` naming the variable to set.
    public func provider(for ref: ModelRef) throws(ProviderError) -> any ChatProvider {
        switch ref.provider {
        case "mock":
            return mock
        case "openai":
            guard let key = environment["OPENAI_API_KEY"], !key.isEmpty else {
                throw ProviderError(.missingKey, "OPENAI_API_KEY is not set: export it to run '\(ref)', or use a mock model offline")
            }
            let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? OpenAIAdapter.defaultBaseURL
            return OpenAIProvider(adapter: OpenAIAdapter(baseURL: base), apiKey: key, transport: transport)
        default:
            throw ProviderError(.configuration, "unknown provider '\(ref.provider)'")
        }
    }
}
