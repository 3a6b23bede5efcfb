import FlowSource
import FlowTemplate

/// One regression case from a workflow's `tests:` (or one row of a dataset it names).
public struct TestCase: Sendable {
    public var name: String
    public var mark: Mark
    /// Inputs as `--var` would give them, on top of the workflow's defaults.
    public var vars: [String: TemplateValue]
    /// Scripted replies: when set, the case runs on the mock provider whatever the models say.
    public var mock: [MockReply]?
    public var expectations: [Expectation]
    /// Runs of the case; it passes when at least `passRate` of them pass (flaky live evals).
    public var repeatCount = 1
    public var passRate = 1.0
}

/// One check on a run: on the output or a step's text, on a step, or on the whole run.
public struct Expectation: Sendable {
    public indirect enum Kind: Sendable {
        case equals(String)
        case contains(String)
        case notContains(String)
        case matches(String)
        case json
        /// `$.a.b[0]` in the JSON text equals the value, or matches the pattern.
        case jsonPath(String, equals: JSON?, matches: String?)
        case jsonSchema(JSON)
        case finishReason(String)
        /// The step ids in order.
        case path([String])
        /// The first token's probability at least this.
        case confidence(Double)
        case costAtMost(Double)
        case tokensAtMost(Int)
    }

    public var kind: Kind
    /// The step whose text (or finish reason, confidence) is checked; nil means the run's output.
    public var step: String?
    public var negated: Bool
    public var mark: Mark
    /// The file the expectation is written in, when not the workflow (a dataset row's own).
    public var file: String? = nil
}
