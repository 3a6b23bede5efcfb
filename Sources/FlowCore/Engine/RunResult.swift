/// What a run did, for the CLI's output and for scripts (`flow run --json`).
public struct RunResult: Sendable {
    public enum Status: String, Sendable {
        case succeeded, failed
        /// Stopped by SIGINT or SIGTERM; only a transcript's run_end says so (the run never returns).
        case interrupted
    }

    public var status: Status
    public var output: String?
    public var steps: [StepResult]
    public var error: RunError?
    /// Every decision in order: the step, how its answer ended, and what followed.
    public var path: [PathEntry] = []

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
    public var step: String
    /// A finish reason (`stop`, `length`, …, `error`, `invalid`), or `end_of_input` / `exit` for an asking step.
    public var reason: String
    public var action: String

    public init(_ step: String, _ reason: String, _ action: String) {
        self.step = step
        self.reason = reason
        self.action = action
    }
}

public struct StepResult: Sendable {
    public var id: String
    public var model: ModelRef
    public var finishReason: FinishReason
    /// The assistant's text including the prefill.
    public var content: String
    public var usage: Usage
    public var latencyMs: Double
    /// USD spent on this call: 0 when it was replayed or scripted; nil when its model has no price.
    public var costUSD: Double?
    public var logprobs: [TokenLogprob]? = nil
    public var origin: CallOrigin = .live
    /// For a replayed or scripted call, what its answer costs at list price (nil when unpriced or live).
    public var recordedCostUSD: Double? = nil

    /// The call's cost at list price whether it was sent or not.
    public var answerCostUSD: Double? { origin == .live ? costUSD : recordedCostUSD }
}

/// Why a run failed, and which exit code says so.
public struct RunError: Error, Sendable, CustomStringConvertible {
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

    public var kind: Kind
    public var message: String
    public var step: String?

    public init(_ kind: Kind, _ message: String, step: String? = nil) {
        self.kind = kind
        self.message = message
        self.step = step
    }

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
