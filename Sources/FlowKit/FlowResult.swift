import FlowCore

/// What a run gave back: the output, each answered step, the path taken, tokens and cost.
public struct FlowResult: Sendable {
    /// The workflow's output: its `output:` template, or the last answer.
    public let output: String?
    /// Each answer in the order the steps ran (a step visited twice appears twice).
    public let steps: [FlowStep]
    /// The ids of the steps taken, in order.
    public let path: [String]
    /// Input and output tokens of every call, judges and tools aside.
    public let inputTokens: Int
    public let outputTokens: Int
    /// What the run cost in US dollars; nil when a model has no price.
    public let costUSD: Double?

    /// The last answer of step `id`, if it ran.
    public func step(_ id: String) -> FlowStep? { steps.last { $0.id == id } }

    /// How the last answer ended (`stop`, `length`, `content_filter`, `tool_calls`).
    public var finishReason: String? { steps.last?.finishReason }

    init(_ result: RunResult, parsing: Set<String>) {
        output = result.output
        steps = result.steps.map { FlowStep($0, parsed: parsing.contains($0.id)) }
        path = result.path.map(\.step)
        inputTokens = result.totals.inputTokens
        outputTokens = result.totals.outputTokens
        costUSD = result.costUSD
    }
}

/// One answer of one step.
public struct FlowStep: Sendable {
    public let id: String
    /// The model that answered, as `provider/model`.
    public let model: String
    public let text: String
    /// The answer as JSON, for a step with `parse: json` or a `schema:` (checked against it).
    public let value: FlowValue?
    public let finishReason: String
    public let inputTokens: Int
    public let outputTokens: Int
    public let costUSD: Double?
    /// Whether it came from a cassette or a mock rather than a provider.
    public let offline: Bool

    init(_ step: StepResult, parsed: Bool) {
        id = step.id
        model = step.model.description
        text = step.content
        value = parsed ? (try? JSON.parse(step.content)).map(FlowValue.init) : nil
        finishReason = step.finishReason.name
        inputTokens = step.usage.inputTokens
        outputTokens = step.usage.outputTokens
        costUSD = step.costUSD
        offline = step.origin != .live
    }
}
