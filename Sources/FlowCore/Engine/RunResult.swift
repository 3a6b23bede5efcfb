import FlowSource

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

/// One decision of a run: step `step` ended one way and an action followed. Typed, so code
/// decides on cases; `reason` and `action` give the words the transcript and `--json` use.
public struct PathEntry: Sendable, Equatable {
    /// How a visit's answer (or its asking) ended.
    public enum Ending: Sendable, Equatable {
        /// A finish reason, or `error` / `invalid`.
        case finish(BranchReason)
        /// An asking step met the end of its input.
        case endOfInput
        /// An asking step read one of its exit words.
        case exit

        /// The word records use.
        public var name: String {
            switch self {
            case .finish(let reason): return reason.rawValue
            case .endOfInput: return "end_of_input"
            case .exit: return "exit"
            }
        }

        /// The ending a record's word names (an unknown word reads as the `other` finish).
        public init(name: String) {
            switch name {
            case "end_of_input": self = .endOfInput
            case "exit": self = .exit
            default: self = .finish(BranchReason(rawValue: name) ?? .other)
            }
        }
    }

    /// What followed, without the action's settings (a `retry`'s count, a `continue`'s limit).
    public enum Followed: Sendable, Equatable {
        case next, end, fail, `continue`, retry, tools
        case goto(String)

        /// The action's kind.
        public init(_ action: Action) {
            switch action {
            case .next: self = .next
            case .end: self = .end
            case .fail: self = .fail
            case .goto(let id): self = .goto(id)
            case .continueAnswer: self = .continue
            case .retry: self = .retry
            case .tools: self = .tools
            }
        }

        /// The kind a record's words name (`goto ID` included); an unknown word reads as `fail`.
        public init(name: String) {
            switch name {
            case "next": self = .next
            case "end": self = .end
            case "continue": self = .continue
            case "retry": self = .retry
            case "tools": self = .tools
            case _ where name.hasPrefix("goto "): self = .goto(String(name.dropFirst(5)))
            default: self = .fail
            }
        }

        /// The words records use.
        public var name: String {
            switch self {
            case .next: return "next"
            case .end: return "end"
            case .fail: return "fail"
            case .continue: return "continue"
            case .retry: return "retry"
            case .tools: return "tools"
            case .goto(let id): return "goto " + id
            }
        }

        /// Whether the step is asked again in the same visit (a continuation, a retry, a tool round).
        public var staysInVisit: Bool { self == .continue || self == .retry || self == .tools }
    }

    /// The step's id.
    public var step: String
    /// How the step's answer ended.
    public var ending: Ending
    /// What followed.
    public var followed: Followed

    /// A finish reason (`stop`, `length`, …, `error`, `invalid`), or `end_of_input` / `exit`.
    public var reason: String { ending.name }
    /// What followed: `next`, `end`, `goto ID`, `continue`, `retry`, `tools`, `fail`.
    public var action: String { followed.name }

    /// An entry from the interpreter's own values.
    public init(_ step: String, _ ending: Ending, _ followed: Followed) {
        self.step = step
        self.ending = ending
        self.followed = followed
    }

    /// An entry as the transcript and `--json` spell it.
    public init(_ step: String, _ reason: String, _ action: String) {
        self.init(step, Ending(name: reason), Followed(name: action))
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
    /// Every answer when the step asked for several (`n`), prefill included; empty otherwise.
    public var choices: [String] = []

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
        /// A record of the run (the cassette) could not be written (exit 74).
        case record
        /// Replaying, the cassette has no recording of a request: the prompt changed since it
        /// was recorded (exit 1, as a failed step).
        case cassetteMiss = "cassette_miss"
    }

    /// What kind of failure.
    public var kind: Kind
    /// The whole explanation, naming the step and what to do.
    public var message: String
    /// The step that failed, when one did.
    public var step: String?
    /// Where that step is written, and in which file: a runtime failure is placed as a
    /// validation error is (`file:line:col: error: …`).
    public var mark: Mark?
    public var file: String?

    /// `file:line:col: ` before the message, when the failure has a place.
    public var place: String {
        guard let file, let mark else { return "" }
        return "\(file):\(mark.line):\(mark.column): "
    }

    /// A failure of `kind`, explained by `message`.
    public init(_ kind: Kind, _ message: String, step: String? = nil) {
        self.kind = kind
        self.message = message
        self.step = step
    }

    /// The message.
    public var description: String { message }

    /// The run-level kind of a provider call's failure.
    public static func kind(of error: ProviderError?) -> Kind {
        switch error?.kind {
        case .configuration?: .invalid
        case .budget?: .stepFailed
        case .record?: .record
        default: .provider
        }
    }

    /// sysexits codes, as documented in docs/cli.md.
    public var exitCode: Int32 {
        switch kind {
        case .stepFailed, .cassetteMiss: return ExitStatus.failed
        case .usage: return ExitStatus.usage
        case .invalid: return ExitStatus.invalid
        case .provider: return ExitStatus.unavailable
        case .record: return ExitStatus.ioError
        }
    }
}
