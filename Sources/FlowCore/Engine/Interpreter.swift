import Foundation
import FlowSource
import FlowTemplate

/// Runs a loaded workflow as a state machine over its steps. Each visit renders the step's turn,
/// calls its provider, and follows the step's `on:` branch for how the answer ended — continuing
/// a truncated answer, retrying (on another model if asked), running tools — until a branch says
/// where to go. The conversation is kept here (the APIs are stateless); every event goes to the
/// transcript as it happens; every loop is bounded by `limits`.
public struct Interpreter: Sendable {
    /// flow's version, in `--version` and every run_start.
    public static let version = FlowVersion.current
    /// The follow-up turn that asks for the rest of a truncated answer, on providers that cannot
    /// continue an assistant turn.
    public static let continuePrompt = "Continue exactly where your last message stopped, without repeating any of it."

    var providers: ProviderRegistry
    var transcript: any TranscriptSink
    /// When set, answers stream on the wire and each piece of text goes here (step id, text).
    let onText: (@Sendable (String, String) -> Void)?
    let input: any InputSource
    let tools: any ToolRunner
    /// Told of each accepted answer (step id, text): an interactive run shows them as they come.
    let onAnswer: (@Sendable (String, String) -> Void)?
    let prices: PriceTable
    /// Facts about where the run happens (git commit, dirty tree) for the run_start event.
    let context: [(String, JSON)]
    /// Told of each retry as it happens (step id, attempt), so a terminal can show the wait.
    public var onRetry: (@Sendable (String, RetryAttempt) -> Void)? = nil
    /// Told of each rate-limit wait, with the step's id.
    public var onWait: (@Sendable (String, RateWait) -> Void)? = nil
    /// Told of each answer as its step records it (tokens, cost, latency), so a chat can show
    /// its usage turn by turn rather than when it ends.
    public var onStep: (@Sendable (StepResult) -> Void)? = nil
    /// The cassette answers come from or go to, if any: applied as each provider is resolved.
    public var cassette: CassetteUse? = nil

    /// An interpreter; the defaults suit tests: no input, tools run from the current directory, built-in prices.
    public init(providers: ProviderRegistry, transcript: any TranscriptSink, onText: (@Sendable (String, String) -> Void)? = nil,
                input: any InputSource = NoInput(), tools: any ToolRunner = ProcessToolRunner(baseDirectory: "."),
                onAnswer: (@Sendable (String, String) -> Void)? = nil, prices: PriceTable = .builtIn,
                context: [(String, JSON)] = []) {
        self.prices = prices
        self.context = context
        self.providers = providers
        self.transcript = transcript
        self.onText = onText
        self.input = input
        self.tools = tools
        self.onAnswer = onAnswer
    }

    /// Runs `loaded` with `inputs` (already resolved against the declared vars). Never throws:
    /// a failure is a `RunResult` with status `failed`, so callers always get the steps so far.
    public func run(_ loaded: LoadedWorkflow, inputs: [String: TemplateValue]) async -> RunResult {
        let workflow = loaded.workflow
        transcript.record(.runStart, [
            ("transcript_format", .int(1)),
            ("flow_version", .string(Self.version)),
            ("workflow", .string(loaded.source.path)),
            ("workflow_sha256", .string(loaded.sha256)),
            ("name", .string(workflow.name)),
            ("templates", .array(loaded.templateFiles.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("inputs", JSON(inputs)),
            ("price_table", .string(prices.version)),
            ("started_at", .string(UTCTime.iso8601(Date()))),
        ] + context)
        var run = RunProgress()
        do throws(RunError) {
            let output = try await execute(loaded, inputs: inputs, run: &run)
            let result = RunResult(status: .succeeded, output: output, steps: run.steps, error: nil, path: run.path)
            recordEnd(result)
            return result
        } catch {
            // A failure of a step is placed at the step, so it prints as file:line:col.
            var error = error
            if error.mark == nil, let id = error.step, let step = loaded.workflow.steps.first(where: { $0.id == id }) {
                error.mark = step.mark
                error.file = loaded.source.path
            }
            transcript.record(.error, JSON.object(omittingNil: [
                ("step", error.step.map(JSON.string)), ("kind", .string(error.kind.rawValue)), ("message", .string(error.message)),
            ]).pairs)
            let result = RunResult(status: .failed, output: nil, steps: run.steps, error: error, path: run.path)
            recordEnd(result)
            return result
        }
    }

    /// The steps of `loaded` from the first until one ends the run; returns the run's output.
    /// A called workflow runs here too, inside its caller's run_start and run_end.
    func execute(_ written: LoadedWorkflow, inputs: [String: TemplateValue], run: inout RunProgress) async throws(RunError) -> String? {
        let loaded = try await withServerTools(written)
        let workflow = loaded.workflow
        let table = try preflight(loaded)
        var conversation = try Conversation(loaded, inputs: inputs)
        var index = 0
        var visits: [String: Int] = [:]
        while index < workflow.steps.count {
            let step = workflow.steps[index]
            run.stepsRun += 1
            guard run.stepsRun <= workflow.limits.maxSteps else {
                throw RunError(.stepFailed, "the run took \(workflow.limits.maxSteps) steps (limits.max_steps) and stopped before '\(step.id)'; raise the limit if the workflow really needs more", step: step.id)
            }
            visits[step.id, default: 0] += 1
            guard visits[step.id]! <= workflow.limits.maxVisits else {
                throw RunError(.stepFailed, "step '\(step.id)' was reached \(workflow.limits.maxVisits) times (limits.max_visits): the workflow seems to loop; add a branch that leaves the loop or raise the limit", step: step.id)
            }
            // The steps beside it count as run too.
            run.stepsRun += max(0, workflow.sideBySide(at: index).count - 1)
            let group = workflow.sideBySide(at: index)
            let transition = if !group.isEmpty {
                try await sideBySide(group, loaded: loaded, table: table, conversation: &conversation, run: &run)
            } else if let map = step.map {
                try await mapStep(step, map: map, loaded: loaded, table: table, conversation: &conversation, run: &run)
            } else {
                try await visitOrCall(step, loaded: loaded, table: table, conversation: &conversation, run: &run)
            }
            switch transition {
            case .next: index = group.isEmpty ? index + 1 : group.upperBound
            case .goto(let id): index = workflow.index(of: id) ?? workflow.steps.count
            case .fail(let error): throw error
            case .end: index = workflow.steps.count
            }
        }
        var output = run.output
        if let template = workflow.output { output = try conversation.render(template, step: nil) }
        return output
    }

    /// Before anything is sent: every step's provider (and every retry's) must have its key and
    /// accept the step's model, parameters and prefill, so a run never stops half-paid. Returns
    /// the providers so resolved, which the run then uses.
    private func preflight(_ loaded: LoadedWorkflow) throws(RunError) -> ProviderTable {
        var table = ProviderTable()
        for step in loaded.workflow.steps {
            if let problem = ProviderRules.stepProblem(step, in: loaded.workflow) { throw RunError(.invalid, problem, step: step.id) }
            for (model, shape) in ProviderRules.shapes(of: step, in: loaded.workflow, media: loaded.media) {
                do throws(ProviderError) {
                    let provider: any ChatProvider
                    if let known = table[step.id, model] { provider = known } else { provider = try resolve(model, step: step.id) }
                    try provider.check(shape)
                    table[step.id, model] = provider
                } catch {
                    throw RunError(RunError.kind(of: error), "step '\(step.id)': \(error.message)", step: step.id)
                }
            }
        }
        // A called workflow's providers are checked before the caller sends anything either.
        for step in loaded.workflow.steps {
            guard let call = step.call, let callee = loaded.callees[call.path] else { continue }
            do throws(RunError) {
                _ = try preflight(callee)
            } catch {
                throw Self.placed(error, in: callee, calledBy: step)
            }
        }
        return table
    }

    /// The provider for `model` in `step`, reporting each retry (to the transcript and `onRetry`)
    /// and each rate-limit wait (to the transcript).
    func resolve(_ model: ModelRef, step: String) throws(ProviderError) -> any ChatProvider {
        let transcript = self.transcript, onRetry = self.onRetry, onWait = self.onWait, providers = self.providers
        let direct = { () throws(ProviderError) -> any ChatProvider in
            try providers.provider(for: model, onRetry: { retry in
                onRetry?(step, retry)
                transcript.record(.retry, TranscriptEvents.retry(retry, step: step))
            }, onWait: { wait in
                onWait?(step, wait)
                // A pacing wait is recorded once, when it is over.
                if wait.ahead, wait.reason == .pacing { return }
                transcript.record(.rateLimitWait, TranscriptEvents.rateLimitWait(wait, step: step))
            })
        }
        guard let cassette else { return try direct() }
        return try cassette.provider(for: model, step: step, registry: providers, resolve: direct)
    }

    /// One visit of a step, until its branch names where to go: next, end, fail or a step.
    func visit(_ step: Step, loaded: LoadedWorkflow, table: ProviderTable, conversation: inout Conversation,
                       run: inout RunProgress) async throws(RunError) -> Transition {
        let model = conversation.model(for: step)
        transcript.record(.stepStart, TranscriptEvents.stepStart(step.id, model: model))
        if step.fresh { conversation.startFresh() }
        var asked: String?
        if let ask = step.ask {
            guard let line = await readTurn(ask, step: step, run: &run) else { return .end }
            asked = line
        }
        let request = try firstRequest(for: step, asked: asked, loaded: loaded, conversation: &conversation)
        var state = VisitState(model: model, request: request)

        while true {
            let (response, providerError) = await call(state.request, model: state.model, step: step, loaded: loaded, table: table, run: &run)
            if let providerError, providerError.kind == .cassetteMiss {
                // Not a provider failure a branch could handle: the prompt changed since it was recorded.
                throw RunError(.cassetteMiss, "step '\(step.id)': \(providerError.message)", step: step.id)
            }
            var reason = BranchReason.error
            var parsed: JSON?
            if let response {
                let mode = prefillMode(state.model, step: step.id, table: table)
                state.text = state.continuations > 0 ? state.text + response.content : Self.joinPrefill(state.originalPrefill, response.content, mode: mode)
                var result = stepResult(step, model: state.model, response: response, text: state.text, latencyMs: run.lastLatencyMs)
                // Each of several answers starts with the prefill, as the first does.
                result.choices = response.choices.map { Self.joinPrefill(state.originalPrefill, $0, mode: mode) }
                run.steps.append(result)
                onStep?(result)
                (reason, parsed, state.last.invalidDetail) = Self.judge(response, text: state.text, step: step, prefill: state.originalPrefill)
            }
            let action = try branch(step, reason: reason, text: providerError?.description ?? state.text, logprobs: response?.logprobs, run: &run)
            state.last.reason = reason
            state.last.raw = response?.finishReason.raw
            state.last.error = providerError

            // Each action either asks again (nil: round the loop) or ends the visit.
            let ended: Transition?
            switch action {
            case .continueAnswer(let limit):
                ended = continueAnswer(limit, reason: reason, step: step, table: table, state: &state)
            case .retry(let spec):
                ended = retry(spec, reason: reason, step: step, state: &state)
            case .tools(let maxRounds):
                ended = await useTools(maxRounds, reason: reason, response: response, step: step, loaded: loaded,
                                       conversation: &conversation, state: &state)
            case .next, .end, .goto:
                ended = moveOn(action, response: response, parsed: parsed, step: step, conversation: &conversation, run: run, state: state)
            case .fail(let message):
                ended = .fail(failure(step, message: message, last: state.last))
            }
            if let ended { return ended }
        }
    }

    /// Reads an asking step's turn; nil when input ended or an exit word was typed (the run ends).
    private func readTurn(_ ask: AskTurn, step: Step, run: inout RunProgress) async -> String? {
        // How a chat ended is a branch of its own, so the transcript (and flow show) says it.
        guard let line = await input.readLine(prompt: ask.prompt) else {
            run.path.append(PathEntry(step.id, .endOfInput, .end))
            transcript.record(.branch, TranscriptEvents.chatEnd(step: step.id, typed: nil))
            return nil
        }
        if ask.exitWords.contains(where: { $0.lowercased() == line.trimmingCharacters(in: .whitespaces).lowercased() }) {
            run.path.append(PathEntry(step.id, .exit, .end))
            transcript.record(.branch, TranscriptEvents.chatEnd(step: step.id, typed: line))
            return nil
        }
        transcript.record(.input, TranscriptEvents.input(line, step: step.id))
        return line
    }

    /// The step's first request: its turn rendered onto the conversation, fitted to the context
    /// (the conversation itself slides, so a long chat keeps flat memory), its tools offered.
    private func firstRequest(for step: Step, asked: String?, loaded: LoadedWorkflow,
                              conversation: inout Conversation) throws(RunError) -> ChatRequest {
        var request = try conversation.request(for: step, asked: asked)
        if let trimmed = fitToContext(conversation.messages, policy: loaded.workflow.context, step: step.id) {
            conversation.messages = trimmed
            request.messages = trimmed
        }
        request.tools = loaded.workflow.tools.filter { step.tools.contains($0.name) }
            .map { ToolSpec(name: $0.name, description: $0.description, parameters: $0.parameters) }
        return request
    }

    /// The step's record of one answer: spent cost for a live call, recorded cost otherwise.
    private func stepResult(_ step: Step, model: ModelRef, response: ChatResponse, text: String, latencyMs: Double) -> StepResult {
        let listCost = prices.cost(response.usage, model: model)
        let live = response.origin == .live
        return StepResult(id: step.id, model: model, finishReason: response.finishReason, content: text, usage: response.usage,
                          latencyMs: latencyMs, costUSD: live ? listCost : 0, logprobs: response.logprobs,
                          origin: response.origin, recordedCostUSD: live ? nil : listCost)
    }

    /// How an answer ended, as branches see it: its finish reason, or `invalid` when `parse: json`
    /// fails (with why, naming the prefill, which is part of the parsed text and often what breaks it).
    static func judge(_ response: ChatResponse, text: String, step: Step, prefill: String?) -> (BranchReason, JSON?, String?) {
        let reason = BranchReason(response.finishReason)
        guard reason == .stop, step.parsesJSON else { return (reason, nil, nil) }
        switch Conversation.parse(text) {
        case .success(let json):
            guard let schema = step.schema else { return (.stop, json, nil) }
            let failures = JSONSchema.validate(json, against: schema, formatAssertion: step.formatAssertion)
            return failures.isEmpty ? (.stop, json, nil) : (.invalid, nil, "the answer does not match the step's schema: " + failures.joined(separator: "; "))
        case .failure(let error):
            let named = prefill.map { "the text parsed is the prefill \(JSON.string($0).serialized) followed by the answer; " }
            return (.invalid, nil, (named ?? "") + error.description)
        }
    }

    /// The action the step's branches choose for `reason`, recorded on the path and in the
    /// transcript with why (the condition that held, with the confidence it saw, or the default).
    func branch(_ step: Step, reason: BranchReason, text: String, logprobs: [TokenLogprob]?,
                        run: inout RunProgress) throws(RunError) -> Action {
        let cases = step.branches[reason] ?? []
        let chosen = try Conditions.choose(cases, text: text, logprobs: logprobs, step: step.id)
        let action = chosen?.action ?? defaultAction(reason, step: step)
        run.path.append(PathEntry(step.id, .finish(reason), PathEntry.Followed(action)))
        let why = Conditions.reason(chosen, among: cases, logprobs: logprobs)
        transcript.record(.branch, TranscriptEvents.branch(step: step.id, reason: reason, action: action.name, isDefault: chosen == nil, why: why))
        return action
    }

    /// The saved answer: the prefill and what came after it. Where the prefill is emulated (the
    /// provider answers with a new message, not the rest of the turn), a model often repeats
    /// the prefill, most of all a JSON opening; such an answer is not prefixed a second time.
    static func joinPrefill(_ prefill: String?, _ content: String, mode: PrefillMode) -> String {
        guard let prefill, !prefill.isEmpty else { return content }
        if mode != .native, content.hasPrefix(prefill) { return content }
        return prefill + content
    }

    func prefillMode(_ model: ModelRef, step: String, table: ProviderTable) -> PrefillMode {
        table[step, model]?.prefillMode(for: model.name) ?? .native
    }

    /// What follows when no case matches: `stop` goes on, `tool_calls` runs the step's tools,
    /// everything else fails. Truncation is never accepted silently.
    private func defaultAction(_ reason: BranchReason, step: Step) -> Action {
        switch reason {
        case .stop: return .next
        case .toolCalls where !step.tools.isEmpty: return .tools(maxRounds: 5)
        default: return .fail(nil)
        }
    }

    /// The error for a failed step: the workflow's own `fail:` message, or one that says what
    /// happened to the last answer.
    func failure(_ step: Step, message: String?, last: LastAnswer) -> RunError {
        if let message { return RunError(.stepFailed, "step '\(step.id)': \(message)", step: step.id) }
        switch last.reason {
        case .error?:
            let error = last.error
            let kind = RunError.kind(of: error)
            return RunError(kind, "step '\(step.id)': \(error?.description ?? "the provider gave no answer")", step: step.id)
        case .invalid?:
            let asked = step.schema == nil ? "asked for JSON (parse: json) and the answer is not valid JSON" : "has a schema and its answer does not fit"
            return RunError(.stepFailed, "step '\(step.id)' \(asked): \(last.invalidDetail ?? "")", step: step.id)
        case .toolCalls? where step.tools.isEmpty:
            return RunError(.stepFailed, "step '\(step.id)' finished with 'tool_calls' but offers no tools; add 'tools: [name]' to the step", step: step.id)
        case let reason?:
            let raw = last.raw ?? reason.rawValue
            let finish = reason.finishReason(raw: raw)
            return RunError(.stepFailed, "step '\(step.id)' finished with '\(reason.rawValue)' (raw '\(raw)'): \(finish.explanation)", step: step.id)
        case nil:
            return RunError(.stepFailed, "step '\(step.id)' failed", step: step.id)
        }
    }

    /// An amount of money as people read it (`Money.text`).
    public static func dollars(_ amount: Double) -> String { Money.text(amount) }

    private func recordEnd(_ result: RunResult) {
        transcript.record(.runEnd, JSON.object(omittingNil: [
            ("status", .string(result.status.rawValue)),
            ("output", result.output.map(JSON.string)),
            ("totals", RunEvents.totals(result)),
            ("path", RunEvents.path(result.path)),
        ]).pairs)
    }
}

/// Where a visit ends: the next step, the end, another step, or a failure already explained.
enum Transition {
    case next, end
    case goto(String)
    case fail(RunError)
}

/// How a visit's last answer ended, kept in the visit so a failure can say what happened.
struct LastAnswer {
    var reason: BranchReason?
    var raw: String?
    var error: ProviderError?
    /// Why `parse: json` failed, with the prefill named when there was one.
    var invalidDetail: String?
}

/// What the run has done so far.
struct RunProgress {
    var steps: [StepResult] = []
    var path: [PathEntry] = []
    var stepsRun = 0
    var tokensUsed = 0
    var lastLatencyMs = 0.0
    var costUSD = 0.0
    var unpricedModels: Set<String> = []
    /// The answer of the last `call:` step, with how many steps had answered when it did.
    var lastCall: (steps: Int, output: String)?

    /// The run's output when the workflow names none: the last answer, a call's or a step's.
    var output: String? {
        if let lastCall, lastCall.steps == steps.count { return lastCall.output }
        return steps.last?.content
    }
}
