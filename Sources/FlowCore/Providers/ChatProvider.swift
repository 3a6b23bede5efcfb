/// A model provider: turns a `ChatRequest` into a `ChatResponse`.
public protocol ChatProvider: Sendable {
    /// The provider's name in `provider/model` references.
    var name: String { get }
    /// How this provider treats an assistant prefill; recorded in every transcript request.
    var prefillMode: PrefillMode { get }
    /// Sends one request. Throws `ProviderError` when no usable answer came back.
    func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse
}

/// What happens to a step's `prefill` on a provider.
public enum PrefillMode: String, Sendable {
    /// The provider continues the assistant turn: the answer is the rest of the text.
    case native
    /// Sent as a trailing assistant message. OpenAI reads it as history, not as a turn to
    /// continue, so the answer is a new message; flow still saves prefill + answer.
    case trailingAssistantMessage = "trailing_assistant_message"
}

/// Why a provider gave no usable answer.
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
        /// The run's configuration names something no provider has.
        case configuration
    }

    public var kind: Kind
    public var message: String
    public var status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
