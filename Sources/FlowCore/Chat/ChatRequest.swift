/// A provider-neutral chat request: what the interpreter asks, before any adapter names things.
public struct ChatRequest: Sendable, Equatable {
    public var model: String
    public var messages: [ChatMessage]
    public var params: SamplingParams
    /// Text the assistant's answer must start with; adapters send it natively or emulate it.
    public var prefill: String?
    /// Tools the model may call.
    public var tools: [ToolSpec] = []

    public init(model: String, messages: [ChatMessage], params: SamplingParams = .init(), prefill: String? = nil,
                tools: [ToolSpec] = []) {
        self.model = model
        self.messages = messages
        self.params = params
        self.prefill = prefill
        self.tools = tools
    }
}

public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable {
        case system, user, assistant
        /// Results of tool calls, answering the assistant message before it.
        case tool
    }

    public var role: Role
    public var content: String
    /// On an assistant message: the tools it asked to call.
    public var toolCalls: [ToolCall] = []
    /// On a tool message: the results, one per call.
    public var toolResults: [ToolResult] = []

    public init(_ role: Role, _ content: String, toolCalls: [ToolCall] = [], toolResults: [ToolResult] = []) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolResults = toolResults
    }
}

/// A tool the model asked to call.
public struct ToolCall: Sendable, Equatable {
    /// The provider's id for the call (Gemini gives none; flow numbers them).
    public var id: String
    public var name: String
    public var arguments: JSON
    /// Gemini's `thoughtSignature`, echoed back with the call as its documentation asks.
    public var signature: String?

    public init(id: String, name: String, arguments: JSON, signature: String? = nil) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.signature = signature
    }
}

/// What a tool returned, sent back to the model.
public struct ToolResult: Sendable, Equatable {
    public var callId: String
    public var name: String
    public var content: String
    public var isError: Bool

    public init(callId: String, name: String, content: String, isError: Bool = false) {
        self.callId = callId
        self.name = name
        self.content = content
        self.isError = isError
    }
}

/// A tool offered to the model: its name, what it does, and a JSON schema for its arguments.
public struct ToolSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    public var parameters: JSON

    public init(name: String, description: String, parameters: JSON) {
        self.name = name
        self.description = description
        self.parameters = parameters
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
