import FlowSource
/// A model provider: turns a `ChatRequest` into a `ChatResponse`.
public protocol ChatProvider: Sendable {
    /// The provider's name in `provider/model` references.
    var name: ProviderName { get }
    /// How this provider treats an assistant prefill on `model`; recorded in transcript requests.
    func prefillMode(for model: String) -> PrefillMode
    /// Sends one request. Throws `ProviderError` when no usable answer came back.
    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse
    /// Throws `.configuration` when the provider cannot take a request shaped like this one.
    func check(_ request: ChatRequest) throws(ProviderError)
    /// Streams the answer, calling `onText` with each piece of text as it arrives.
    func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse
    /// The HTTP request this provider would send, without its key, for the transcript; nil for
    /// providers that send nothing.
    func wire(_ request: ChatRequest) -> HTTPRequest?
}

extension ChatProvider {
    /// Accepts every request (the mock).
    public func check(_ request: ChatRequest) throws(ProviderError) {}

    /// No wire form (the mock sends nothing).
    public func wire(_ request: ChatRequest) -> HTTPRequest? { nil }

    /// Streams the answer, calling `onText` with each piece of text as it arrives. A provider
    /// that cannot stream answers whole, as one piece.
    public func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws(ProviderError) -> ChatResponse {
        let response = try await complete(request)
        if !response.content.isEmpty { onText(response.content) }
        return response
    }
}

/// What happens to a step's `prefill` on a provider.
public enum PrefillMode: String, Sendable {
    /// The provider continues the assistant turn: the answer is the rest of the text.
    case native
    /// Sent as a trailing assistant message. OpenAI reads it as history, not as a turn to
    /// continue, so the answer is a new message; flow still saves prefill + answer.
    case trailingAssistantMessage = "trailing_assistant_message"
    /// The model cannot take one: a step with a prefill fails before anything is sent.
    case refused
}
