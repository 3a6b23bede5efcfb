import FlowSource
/// A model provider: turns a `ChatRequest` into a `ChatResponse`.
public protocol ChatProvider: Sendable {
    /// The provider's name in `provider/model` references.
    var name: String { get }
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
    public func check(_ request: ChatRequest) throws(ProviderError) {}

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

/// Why a provider gave no usable answer: one typed error for every provider, carrying what a
/// user needs to act on it, and never the key.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No API key in the environment.
        case missingKey = "missing_key"
        /// No response: connection refused, DNS, timeout.
        case network
        /// An HTTP error status with the provider's message.
        case http
        /// A 2xx body flow could not read.
        case decode
        /// The mock provider ran out of scripted replies.
        case script
        /// The request asks for something this provider or model cannot do; nothing was sent.
        case configuration
        /// The call could take the run past a budget in `limits:`; nothing was sent.
        case budget
        /// Replaying, the cassette has no recording of this request.
        case cassetteMiss = "cassette_miss"
    }

    public var kind: Kind
    public var message: String
    public var status: Int?
    /// The provider's own error type or code (`rate_limit_exceeded`, `overloaded_error`, `INVALID_ARGUMENT`).
    public var errorType: String?
    /// The provider's request id, for a support ticket.
    public var requestId: String?
    /// Whether sending the same request again may succeed.
    public var retryable: Bool
    /// Seconds the provider asked to wait (`retry-after-ms`, `retry-after`).
    public var retryAfter: Double?

    public init(_ kind: Kind, _ message: String, status: Int? = nil, errorType: String? = nil,
                requestId: String? = nil, retryable: Bool = false, retryAfter: Double? = nil) {
        self.kind = kind
        // Messages quote servers' words: their control characters are escaped once, here.
        self.message = Printable.escaped(message)
        self.status = status
        self.errorType = errorType
        self.requestId = requestId
        self.retryable = retryable
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = message
        if let requestId { text += " [request \(requestId)]" }
        return text
    }
}

extension ProviderError {
    /// A connection refused outright: the server is not there, as opposed to slow or overloaded.
    public var isConnectionRefused: Bool { kind == .network && errorType == "connection_refused" }
}
