/// What one visit of a step carries from one answer to the next: the request as it is now (a
/// continuation, a retry on another model, a tool round change it), the answer so far, and
/// how many continuations, retries and tool rounds the branches have spent.
struct VisitState {
    var model: ModelRef
    var request: ChatRequest
    /// The step's params and prefill as written, which a retry starts again from.
    let baseParams: SamplingParams
    let originalPrefill: String?
    /// The answer so far, prefill included, across continuations.
    var text = ""
    var continuations = 0, retries = 0, toolRounds = 0
    /// How the last answer ended: what a failure of this visit explains itself with.
    var last = LastAnswer()

    init(model: ModelRef, request: ChatRequest) {
        self.model = model
        self.request = request
        baseParams = request.params
        originalPrefill = request.prefill
    }
}

/// The actions a branch can take within a visit, one method each: nil asks again, a
/// transition ends the visit.
extension Interpreter {
    /// `continue`: ask for the rest of a truncated answer, up to `limit` times.
    func continueAnswer(_ limit: Int, reason: BranchReason, step: Step, table: ProviderTable, state: inout VisitState) -> Transition? {
        guard reason == .length, state.continuations < limit else {
            return .fail(RunError(.stepFailed, "step '\(step.id)' is still truncated after \(limit) continuation\(limit == 1 ? "" : "s"); raise max_tokens or the continue count",
                                  step: step.id))
        }
        state.continuations += 1
        state.request = continuation(of: state.request, text: state.text, mode: prefillMode(state.model, step: step.id, table: table))
        return nil
    }

    /// `retry`: send the step's request again (with other params, or on another model), up to
    /// `spec.count` times; an answer that missed its schema is told what was wrong.
    func retry(_ spec: RetrySpec, reason: BranchReason, step: Step, state: inout VisitState) -> Transition? {
        guard state.retries < spec.count else { return .fail(failure(step, message: nil, last: state.last)) }
        state.retries += 1
        if let other = spec.model {
            state.model = other
            state.request.model = other.name
        }
        state.request.params = state.baseParams.merged(with: spec.params)
        state.request.prefill = state.originalPrefill
        if reason == .invalid, step.schema != nil, let detail = state.last.invalidDetail {
            // The model sees what was wrong and can correct itself.
            state.request.messages += [ChatMessage(.assistant, state.text),
                                       ChatMessage(.user, "That answer does not fit the required JSON schema (\(detail)). Answer again with JSON that fits it.")]
        }
        state.text = ""
        state.continuations = 0
        return nil
    }

    /// `tools`: run the tools the answer called and send their results, up to `maxRounds` rounds.
    func useTools(_ maxRounds: Int, reason: BranchReason, response: ChatResponse?, step: Step, loaded: LoadedWorkflow,
                  conversation: inout Conversation, state: inout VisitState) async -> Transition? {
        guard reason == .toolCalls, let response, state.toolRounds < maxRounds else {
            guard reason == .toolCalls else { return .fail(failure(step, message: nil, last: state.last)) }
            return .fail(RunError(.stepFailed, "step '\(step.id)' asked for tools more than \(maxRounds) rounds (tools.max_rounds)", step: step.id))
        }
        state.toolRounds += 1
        let results = await runTools(response.toolCalls, declared: loaded.workflow.tools, offered: step.tools, step: step.id)
        var assistant = ChatMessage(.assistant, response.content, toolCalls: response.toolCalls)
        assistant.reasoningBlocks = response.reasoningBlocks
        let tool = ChatMessage(.tool, "", toolResults: results)
        conversation.messages += [assistant, tool]
        state.request.messages += [assistant, tool]
        state.request.prefill = nil
        state.text = ""
        return nil
    }

    /// `next`, `end`, `goto`: the answer joins the conversation and the visit ends.
    func moveOn(_ action: Action, response: ChatResponse?, parsed: JSON?, step: Step, conversation: inout Conversation,
                run: RunProgress, state: VisitState) -> Transition {
        if response != nil {
            conversation.answer(state.text, for: step, parsed: parsed, choices: run.steps.last?.choices ?? [])
            onAnswer?(step.id, state.text)
        }
        if case .goto(let id) = action { return .goto(id) }
        return action == .end ? .end : .next
    }
}
