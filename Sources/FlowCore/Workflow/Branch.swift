import FlowSource

/// What a step's answer ended with, as `on:` names it: the provider's finish reasons, plus
/// `error` (no answer after retries) and `invalid` (an answer that failed `parse:`).
public enum BranchReason: String, Sendable, CaseIterable {
    case stop, length
    case contentFilter = "content_filter"
    case toolCalls = "tool_calls"
    case error, invalid, other

    /// The branch a normalized finish reason takes.
    public init(_ reason: FinishReason) {
        switch reason {
        case .stop: self = .stop
        case .length: self = .length
        case .contentFilter: self = .contentFilter
        case .toolCalls: self = .toolCalls
        case .other: self = .other
        }
    }
}

/// One case of a branch: taken when its condition holds (or always, without one).
public struct BranchCase: Sendable {
    /// The `if:` that must hold; nil for a case that always applies.
    public var condition: Condition?
    /// What follows when it does.
    public var action: Action
    /// Where the case is written.
    public var mark: Mark
    /// Where its action's value is written (the step a `goto:` names), for errors about it.
    public var actionMark: Mark? = nil
}

/// A test on a step's answer text (prefill included) or its first token's probability.
public indirect enum Condition: Sendable {
    /// A regular expression (ICU syntax, `(?i)` for case-insensitive) found anywhere in the text.
    case matches(String)
    case contains(String)
    /// The text, trimmed of surrounding whitespace, equals this.
    case equals(String)
    /// The text parses as JSON.
    case json
    /// The first token's probability (from logprobs) is below this.
    case confidenceBelow(Double)
    case not(Condition)
}

/// What happens next.
public enum Action: Sendable, Equatable {
    case next
    case end
    case fail(String?)
    case goto(String)
    /// On `length`: ask for the rest, up to this many more calls, and join the pieces.
    case continueAnswer(Int)
    /// The same request again, up to `count` times, optionally with other params or model.
    case retry(RetrySpec)
    /// Run the tools the model asked for and send back the results, up to `maxRounds` times.
    case tools(maxRounds: Int)

    /// The word used in `on:` and in the run's `path`.
    public var name: String {
        switch self {
        case .next: return "next"
        case .end: return "end"
        case .fail: return "fail"
        case .goto(let id): return "goto " + id
        case .continueAnswer: return "continue"
        case .retry: return "retry"
        case .tools: return "tools"
        }
    }
}

/// `{retry: N, params: …, model: …}`: ask again, at most N times, perhaps otherwise or elsewhere.
public struct RetrySpec: Sendable, Equatable {
    /// How many more attempts at most.
    public var count: Int
    /// Parameters for the new attempts, over the step's.
    public var params: SamplingParams
    /// Another model to ask instead (a fallback); the same model when nil.
    public var model: ModelRef?
}

/// `user: {ask: "You: "}`: the user turn is read from standard input.
public struct AskTurn: Sendable {
    /// Shown on standard error before reading the line.
    public var prompt: String
    /// Lines that end the run cleanly, compared without case and surrounding spaces.
    public var exitWords: [String]
    /// Where the step's `ask` is written.
    public var mark: Mark
}

/// `limits:`. Every loop is bounded by these, so a run cannot go on forever.
public struct Limits: Sendable, Equatable {
    /// Visits of all steps in one run.
    public var maxSteps = 200
    /// Visits of any one step in one run: every loop is bounded.
    public var maxVisits = 50
    /// Total tokens (input + output) for the run; checked before each call.
    public var maxTotalTokens: Int?
    /// Total cost in USD for the run; checked before each call with a pessimistic estimate.
    public var maxCostUSD: Double?

    /// The defaults: 200 steps, 50 visits of a step, no token or cost budget.
    public init() {}
}

/// `context:`: keep each request under an estimated token budget by dropping the oldest turns.
public struct ContextPolicy: Sendable, Equatable {
    /// Estimated input tokens a request may carry, system prompt included.
    public var maxInputTokens: Int
}

extension BranchReason {
    /// The finish reason a branch reason stands for, with the provider's own word: how a
    /// recorded or scripted answer's reason is read back. Here, beside the branch reasons, since
    /// the two enums differ (a branch also sees `error` and `invalid`, which no answer ends with).
    func finishReason(raw: String) -> FinishReason {
        switch self {
        case .stop: return .stop(raw: raw)
        case .length: return .length(raw: raw)
        case .contentFilter: return .contentFilter(raw: raw)
        case .toolCalls: return .toolCalls(raw: raw)
        default: return .other(raw: raw)
        }
    }
}
