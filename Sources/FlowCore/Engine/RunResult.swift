/// What a run did, for the CLI's output and for scripts (`flow run --json`).
public struct RunResult: Sendable {
    /// How a run ended.
    public enum Status: String, Sendable {
        case succeeded, failed
        /// Stopped by SIGINT or SIGTERM; only a transcript's run_end says so (the run never returns).
        case interrupted
    }

    /// Whether every step ended in a way the workflow accepts.
    public var status: Status
    /// The `output:` template rendered, else the last step's text; nil when the run failed.
    public var output: String?
    /// Every answer, in order (a continued or retried step has one per call).
    public var steps: [StepResult]
    /// Why the run failed, with its exit status; nil on success.
    public var error: RunError?
    /// Every decision in order: the step, how its answer ended, and what followed.
    public var path: [PathEntry] = []

    /// Tokens over every call.
    public var totals: Usage { steps.reduce(Usage()) { $0 + $1.usage } }

    /// The money the run spent in USD (replayed and scripted answers cost nothing), or nil when
    /// a live call's model has no price.
    public var costUSD: Double? { Self.sum(steps.map(\.costUSD)) }

    /// What the run's answers cost at list price, live or not: a replay reports what its recorded
    /// answers cost when they were recorded. `cost_usd` expectations judge this figure, so a
    /// budget check means the same replayed in CI as live.
    public var answerCostUSD: Double? { Self.sum(steps.map(\.answerCostUSD)) }

    /// The recorded cost of the replayed and scripted calls, or nil when there were none.
    public var recordedCostUSD: Double? {
        let notLive = steps.filter { $0.origin != .live }
        return notLive.isEmpty ? nil : Self.sum(notLive.map(\.recordedCostUSD))
    }

    /// The calls that were not sent: replayed or scripted.
    public var offlineCalls: Int { steps.filter { $0.origin != .live }.count }

    static func sum(_ costs: [Double?]) -> Double? {
        costs.reduce(Optional(0.0)) { total, cost in
            guard let total, let cost else { return nil }
            return total + cost
        }
    }
}

/// One decision of a run: step `step` ended with `reason` and `action` followed.
public struct PathEntry: Sendable, Equatable {
    /// The step's id.
    public var step: String
    /// A finish reason (`stop`, `length`, …, `error`, `invalid`), or `end_of_input` / `exit` for an asking step.
    public var reason: String
    /// What followed: `next`, `end`, `goto ID`, `continue`, `retry`, `tools`, `fail`.
    public var action: String

    /// An entry as the transcript and `--json` spell it.
    public init(_ step: String, _ reason: String, _ action: String) {
        self.step = step
        self.reason = reason
        self.action = action
    }
}

/// One answer of a run: which step and model, how it ended, its text, tokens, time and cost.
public struct StepResult: Sendable {
    /// The step's id.
    public var id: String
    /// The model that answered (after any `retry` to another model).
    public var model: ModelRef
    /// Why generation stopped, normalized, with the provider's raw value.
    public var finishReason: FinishReason
    /// The assistant's text including the prefill.
    public var content: String
    /// Tokens of this call, normalized across providers.
    public var usage: Usage
    /// Milliseconds from request to the whole answer.
    public var latencyMs: Double
    /// USD spent on this call: 0 when it was replayed or scripted; nil when its model has no price.
    public var costUSD: Double?
    /// Per-token log probabilities, when asked for and given.
    public var logprobs: [TokenLogprob]? = nil
    /// Where the answer came from: live, a cassette, or scripted.
    public var origin: CallOrigin = .live
    /// For a replayed or scripted call, what its answer costs at list price (nil when unpriced or live).
    public var recordedCostUSD: Double? = nil

    /// The call's cost at list price whether it was sent or not.
    public var answerCostUSD: Double? { origin == .live ? costUSD : recordedCostUSD }
}

/// Why a run failed, and which exit code says so.
public struct RunError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, which decides the exit status.
    public enum Kind: String, Sendable {
        /// A step ended in a way the workflow does not accept (exit 1).
        case stepFailed = "step_failed"
        /// Inputs were missing or unknown (exit 64).
        case usage
        /// A template could not be rendered (exit 65).
        case invalid
        /// The provider gave no usable answer (exit 69).
        case provider
    }

    /// What kind of failure.
    public var kind: Kind
    /// The whole explanation, naming the step and what to do.
    public var message: String
    /// The step that failed, when one did.
    public var step: String?

    /// A failure of `kind`, explained by `message`.
    public init(_ kind: Kind, _ message: String, step: String? = nil) {
        self.kind = kind
        self.message = message
        self.step = step
    }

    /// The message.
    public var description: String { message }

    /// sysexits codes, as documented in docs/cli.md.
    public var exitCode: Int32 {
        switch kind {
        case .stepFailed: return ExitStatus.failed
        case .usage: return ExitStatus.usage
        case .invalid: return ExitStatus.invalid
        case .provider: return ExitStatus.unavailable
        }
    }
}
