/// The OpenAI provider: the adapter plus a transport and the caller's key.
public struct OpenAIProvider: ChatProvider {
    public let name = "openai"
    public let prefillMode = PrefillMode.trailingAssistantMessage
    let adapter: OpenAIAdapter
    let apiKey: String?
    let transport: any HTTPTransport

    public init(adapter: OpenAIAdapter, apiKey: String?, transport: any HTTPTransport) {
        self.adapter = adapter
        self.apiKey = apiKey
        self.transport = transport
    }

    public func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let response = try await transport.send(adapter.encode(request, apiKey: apiKey))
        return try adapter.decode(response)
    }
}
