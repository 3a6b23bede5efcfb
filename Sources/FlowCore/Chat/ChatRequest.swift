/// A provider-neutral chat request: what the interpreter asks, before any adapter names things.
public struct ChatRequest: Sendable, Equatable {
    /// The model's name as its provider knows it (`gpt-4o-mini`), without the provider.
    public var model: String
    /// The conversation so far, system prompt first, the turn to answer last.
    public var messages: [ChatMessage]
    /// Sampling parameters, under flow's names.
    public var params: SamplingParams
    /// Text the assistant's answer must start with; adapters send it natively or emulate it.
    public var prefill: String?
    /// Tools the model may call.
    public var tools: [ToolSpec] = []
    /// Structured output: the JSON Schema the answer must follow (a step's `schema:`).
    public var responseSchema: JSON?
    /// OpenAI's `prompt_cache_key` (the workflow's `prompt_cache_key:`); other providers have none.
    public var promptCacheKey: String?

    /// A request; without `prefill` and `tools` it is a plain chat turn.
    public init(model: String, messages: [ChatMessage], params: SamplingParams = .init(), prefill: String? = nil,
                tools: [ToolSpec] = []) {
        self.model = model
        self.messages = messages
        self.params = params
        self.prefill = prefill
        self.tools = tools
    }
}

/// One message of a conversation, in flow's terms; adapters map roles and parts to their format.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks. `system` is sent where each provider wants it (a message, or a field of its own).
    public enum Role: String, Sendable {
        case system, user, assistant
        /// Results of tool calls, answering the assistant message before it.
        case tool
    }

    /// Who speaks.
    public var role: Role
    /// The text (empty for a tool message, whose results carry the content).
    public var content: String
    /// On an assistant message: the tools it asked to call.
    public var toolCalls: [ToolCall] = []
    /// On a tool message: the results, one per call.
    public var toolResults: [ToolResult] = []
    /// A user turn that mixes text with images or documents, in order; empty for plain text.
    /// `content` then holds the text parts joined, for estimates and records.
    public var parts: [MessagePart] = []
    /// `cache: true`: the conversation up to and including this message is a cache breakpoint
    /// (Anthropic's `cache_control`; OpenAI and Gemini cache prefixes by themselves).
    public var cacheBreakpoint = false
    /// On an assistant message with tool calls: the provider's reasoning blocks that came with
    /// them (`ChatResponse.reasoningBlocks`), sent back first and unchanged.
    public var reasoningBlocks: [JSON] = []

    /// A message; tool calls go on assistant messages, tool results on tool messages.
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
    /// The declared tool's name.
    public var name: String
    /// The arguments the model gave, parsed (a JSON object when the model kept to the schema).
    public var arguments: JSON
    /// Gemini's `thoughtSignature`, echoed back with the call as its documentation asks.
    public var signature: String?

    /// A call as decoded from an answer, or as recorded in a cassette.
    public init(id: String, name: String, arguments: JSON, signature: String? = nil) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.signature = signature
    }
}

/// What a tool returned, sent back to the model.
public struct ToolResult: Sendable, Equatable {
    /// The id of the call this answers.
    public var callId: String
    /// The tool's name (Gemini matches results by name, not id).
    public var name: String
    /// What the tool printed, or the error the model should see.
    public var content: String
    /// Whether the call failed (a non-zero exit, a timeout, an unknown tool).
    public var isError: Bool

    /// A result for the call `callId`.
    public init(callId: String, name: String, content: String, isError: Bool = false) {
        self.callId = callId
        self.name = name
        self.content = content
        self.isError = isError
    }
}

/// A tool offered to the model: its name, what it does, and a JSON schema for its arguments.
public struct ToolSpec: Sendable, Equatable {
    /// The name the model calls it by.
    public var name: String
    /// What the tool does, in the words the model reads.
    public var description: String
    /// A JSON schema for the arguments, sent as written.
    public var parameters: JSON

    /// A tool as the workflow declares it.
    public init(name: String, description: String, parameters: JSON) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// `reasoning:` in params: an effort level (OpenAI's `reasoning_effort`, Gemini 3's
/// `thinkingLevel`), a token budget (Anthropic's extended thinking, Gemini 2.5's
/// `thinkingBudget`), or both where a provider reads both. Taken as a whole: a step's
/// `reasoning` replaces the workflow's.
public struct Reasoning: Sendable, Equatable {
    /// The effort levels flow passes on.
    public enum Effort: String, Sendable, CaseIterable {
        case low, medium, high
    }

    /// How hard to think, where a provider takes a level.
    public var effort: Effort?
    /// The most tokens to think with, where a provider takes a budget.
    public var budgetTokens: Int?

    /// A reasoning setting; at least one of the two is given.
    public init(effort: Effort? = nil, budgetTokens: Int? = nil) {
        self.effort = effort
        self.budgetTokens = budgetTokens
    }

    /// As transcripts and cassette keys record it.
    var json: JSON {
        .object(omittingNil: [("effort", effort.map { .string($0.rawValue) }), ("budget_tokens", budgetTokens.map(JSON.int))])
    }
}

/// Sampling parameters under one set of names; each adapter maps them to its provider's.
public struct SamplingParams: Sendable, Equatable {
    /// Randomness, 0 to 2; nil leaves the provider's default.
    public var temperature: Double?
    /// Nucleus sampling, 0 to 1; nil leaves the provider's default.
    public var topP: Double?
    /// The most output tokens (OpenAI's `max_completion_tokens`, required by Anthropic).
    public var maxTokens: Int?
    /// Sequences that end the answer (`finish_reason: stop`); not included in the text.
    public var stop: [String]?
    /// A seed for providers that make sampling repeatable with one (not Anthropic).
    public var seed: Int?
    /// Ask for the log probability of each output token.
    public var logprobs: Bool?
    /// How many alternatives to return per token (implies `logprobs`).
    public var topLogprobs: Int?
    /// Sample only from the K most likely tokens (Anthropic, Gemini, and compatible servers
    /// that read `top_k`; OpenAI has none).
    public var topK: Int?
    /// -2 to 2: positive values discourage tokens already present at all (OpenAI, Gemini).
    public var presencePenalty: Double?
    /// -2 to 2: positive values discourage tokens by how often they occurred (OpenAI, Gemini).
    public var frequencyPenalty: Double?
    /// How much a reasoning model thinks before it answers; each adapter maps it or refuses it.
    public var reasoning: Reasoning?
    /// Several answers to one request (OpenAI `n`, Gemini `candidateCount`; emulated with that
    /// many calls on Anthropic). The first is the answer; all are the step's choices.
    public var n: Int?

    /// Parameters; every one left nil is left to the provider.
    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, stop: [String]? = nil, seed: Int? = nil,
                logprobs: Bool? = nil, topLogprobs: Int? = nil, topK: Int? = nil, presencePenalty: Double? = nil,
                frequencyPenalty: Double? = nil, reasoning: Reasoning? = nil, n: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.seed = seed
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
        self.topK = topK
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.reasoning = reasoning
        self.n = n
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
                       topLogprobs: overrides.topLogprobs ?? topLogprobs,
                       topK: overrides.topK ?? topK,
                       presencePenalty: overrides.presencePenalty ?? presencePenalty,
                       frequencyPenalty: overrides.frequencyPenalty ?? frequencyPenalty,
                       reasoning: overrides.reasoning ?? reasoning,
                       n: overrides.n ?? n)
    }
}
