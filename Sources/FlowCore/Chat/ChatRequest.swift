/// A provider-neutral chat request: what the interpreter asks, before any adapter names things.
public struct ChatRequest: Sendable, Equatable {
    public var model: String
    public var messages: [ChatMessage]
    public var params: SamplingParams
    /// Text the assistant's answer must start with; adapters send it natively or emulate it.
    public var prefill: String?

    public init(model: String, messages: [ChatMessage], params: SamplingParams = .init(), prefill: String? = nil) {
        self.model = model
        self.messages = messages
        self.params = params
        self.prefill = prefill
    }
}

public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// Sampling parameters under one set of names; each adapter maps them to its provider's.
public struct SamplingParams: Sendable, Equatable {
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var stop: [String]?
    public var seed: Int?
    /// Ask for the log probability of each output token.
    public var logprobs: Bool?
    /// How many alternatives to return per token (implies `logprobs`).
    public var topLogprobs: Int?

    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, stop: [String]? = nil, seed: Int? = nil,
                logprobs: Bool? = nil, topLogprobs: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.seed = seed
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    /// Whether log probabilities were asked for, directly or through `top_logprobs`.
    public var wantsLogprobs: Bool { logprobs == true || topLogprobs != nil }

    /// These params with every value set in `overrides` taking precedence.
    public func merged(with overrides: SamplingParams) -> SamplingParams {
        SamplingParams(temperature: overrides.temperature ?? temperature,
                       topP: overrides.topP ?? topP,
                       maxTokens: overrides.maxTokens ?? maxTokens,
                       stop: overrides.stop ?? stop,
                       seed: overrides.seed ?? seed,
                       logprobs: overrides.logprobs ?? logprobs,
                       topLogprobs: overrides.topLogprobs ?? topLogprobs)
    }
}
