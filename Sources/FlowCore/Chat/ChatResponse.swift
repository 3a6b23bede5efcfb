import Foundation

/// A provider's answer, normalized: one shape whatever the wire format was.
public struct ChatResponse: Sendable, Equatable {
    /// Equal in what the answer says; `raw` and `origin` are not compared.
    public static func == (lhs: ChatResponse, rhs: ChatResponse) -> Bool {
        lhs.content == rhs.content && lhs.finishReason == rhs.finishReason && lhs.usage == rhs.usage
            && lhs.model == rhs.model && lhs.logprobs == rhs.logprobs && lhs.toolCalls == rhs.toolCalls
            && lhs.reasoning == rhs.reasoning && lhs.choices == rhs.choices
    }

    /// The generated text, without the prefill (the interpreter joins them).
    public var content: String
    /// Why generation stopped, normalized, with the provider's raw value.
    public var finishReason: FinishReason
    /// Tokens, normalized across providers.
    public var usage: Usage
    /// The model the provider says answered (may be a dated snapshot of the one asked for).
    public var model: String?
    /// Per-token log probabilities, when asked for and given.
    public var logprobs: [TokenLogprob]?
    /// Tools the model asked to call.
    public var toolCalls: [ToolCall]
    /// Every answer when several were asked for (`n`), the first being `content`; empty otherwise.
    public var choices: [String] = []
    /// What the model thought before answering, where the provider shows it (Anthropic's
    /// thinking blocks): recorded in the transcript, never part of `content` or a saved answer.
    public var reasoning: String?
    /// The provider's reasoning blocks as they came (Anthropic's signed `thinking` and
    /// `redacted_thinking`), sent back unchanged with the tool calls they led to, as the API
    /// requires. Not compared.
    public var reasoningBlocks: [JSON] = []
    /// The provider's body as it came (non-streamed answers), for the transcript. Not compared.
    public var raw: JSON?
    /// Where the answer came from: only a live answer is money spent. Not compared.
    public var origin: CallOrigin = .live

    /// An answer as an adapter decodes it (live by default).
    public init(content: String, finishReason: FinishReason, usage: Usage = .init(), model: String? = nil,
                logprobs: [TokenLogprob]? = nil, toolCalls: [ToolCall] = []) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
        self.logprobs = logprobs
        self.toolCalls = toolCalls
    }
}

/// Where an answer came from. A replayed or scripted answer costs nothing now: its price is
/// kept as the recorded cost, and `flow cost` adds up only live calls by default.
public enum CallOrigin: String, Sendable {
    /// Sent to the provider and paid for.
    case live
    /// Read from a cassette.
    case replay
    /// Scripted by the workflow or a test case (`mock:`).
    case mock
}

/// One output token with its log probability and the most likely alternatives.
public struct TokenLogprob: Sendable, Equatable {
    /// The token's text.
    public var token: String
    /// Its natural log probability (0 is certain).
    public var logprob: Double
    /// The likeliest tokens at this place, when `top_logprobs` asked for them.
    public var top: [Alternative]

    /// A token the model could have chosen instead.
    public struct Alternative: Sendable, Equatable {
        /// The token's text.
        public var token: String
        /// Its natural log probability.
        public var logprob: Double

        /// An alternative token.
        public init(token: String, logprob: Double) {
            self.token = token
            self.logprob = logprob
        }
    }

    /// A token with its log probability and alternatives.
    public init(token: String, logprob: Double, top: [Alternative] = []) {
        self.token = token
        self.logprob = logprob
        self.top = top
    }

    /// The token's probability, 0 to 1.
    public var probability: Double { exp(logprob) }

    /// The probability to four places, as records and reports give a `confidence`.
    public var confidence: Double { (probability * 10_000).rounded() / 10_000 }
}

/// Why generation stopped, normalized across providers. The raw value is always kept, and an
/// unknown value is `other`, never `stop`: truncation or filtering must not pass as success.
public enum FinishReason: Sendable, Equatable {
    case stop(raw: String)
    case length(raw: String)
    case contentFilter(raw: String)
    case toolCalls(raw: String)
    case other(raw: String)

    /// The finish reason a word names (`stop`, `length`, `content_filter`, `tool_calls`): a
    /// scripted reply's, and OpenAI's, whose words flow's are (with its older `function_call`);
    /// any other word is `other`, kept raw.
    public init(named word: String) {
        switch word {
        case "stop": self = .stop(raw: word)
        case "length": self = .length(raw: word)
        case "content_filter": self = .contentFilter(raw: word)
        case "tool_calls", "function_call": self = .toolCalls(raw: word)
        default: self = .other(raw: word)
        }
    }

    /// The normalized name used in workflows and records: `stop`, `length`, `content_filter`, ….
    public var name: String {
        switch self {
        case .stop: return "stop"
        case .length: return "length"
        case .contentFilter: return "content_filter"
        case .toolCalls: return "tool_calls"
        case .other: return "other"
        }
    }

    /// The value exactly as the provider sent it.
    public var raw: String {
        switch self {
        case .stop(let raw), .length(let raw), .contentFilter(let raw), .toolCalls(let raw), .other(let raw):
            return raw
        }
    }

    /// What a finish reason means for a user reading an error.
    public var explanation: String {
        switch self {
        case .stop: return "the answer is complete"
        case .length: return "the answer was truncated at the token limit"
        case .contentFilter: return "the answer was withheld by the provider's content filter"
        case .toolCalls: return "the model asked to call a tool"
        case .other(let raw): return "the provider stopped for a reason flow does not know ('\(raw)')"
        }
    }
}

/// Token counts for one call, normalized so totals add up across providers:
/// `inputTokens` counts every input token, cached reads and cache writes included (OpenAI's and
/// Gemini's rule; Anthropic's three counts are added up); `outputTokens` counts every output
/// token, reasoning and thinking included (OpenAI's rule; Gemini's thoughts are added).
public struct Usage: Sendable, Equatable {
    /// Every input token, cached and cache-written ones included.
    public var inputTokens: Int
    /// Every output token, reasoning included.
    public var outputTokens: Int
    /// Input tokens read from the provider's cache (billed lower).
    public var cachedInputTokens: Int
    /// Input tokens written to the cache (Anthropic bills them higher).
    public var cacheWriteTokens: Int
    /// Output tokens spent on reasoning or thinking, not shown in the answer.
    public var reasoningTokens: Int

    /// Counts already normalized (decoders check each is 0…2^40).
    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0, cacheWriteTokens: Int = 0,
                reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    /// The counts of two calls added up.
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(inputTokens: lhs.inputTokens + rhs.inputTokens,
              outputTokens: lhs.outputTokens + rhs.outputTokens,
              cachedInputTokens: lhs.cachedInputTokens + rhs.cachedInputTokens,
              cacheWriteTokens: lhs.cacheWriteTokens + rhs.cacheWriteTokens,
              reasoningTokens: lhs.reasoningTokens + rhs.reasoningTokens)
    }
}
