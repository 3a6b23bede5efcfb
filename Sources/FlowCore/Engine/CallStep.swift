import FlowSource
import FlowTemplate

/// `call:` steps: another workflow run as one step, with its own system prompt, models, params
/// and limits and a conversation of its own; this workflow's conversation gains no turn, only
/// the callee's output under the step's `save`. Its events go to the same transcript, each
/// tagged with the call's path, between a call_start and a call_end.
extension Interpreter {
    /// A step as the run loop (or a mapped item) runs it: a call runs its workflow, any other
    /// step asks its model.
    func visitOrCall(_ step: Step, loaded: LoadedWorkflow, table: ProviderTable, conversation: inout Conversation,
                     run: inout RunProgress) async throws(RunError) -> Transition {
        guard let call = step.call else {
            return try await visit(step, loaded: loaded, table: table, conversation: &conversation, run: &run)
        }
        guard let callee = loaded.callees[call.path] else {
            throw RunError(.invalid, "step '\(step.id)' calls '\(call.path)', which was not loaded with the workflow", step: step.id)
        }
        let inputs = try Self.callInputs(call, callee: callee.workflow, step: step, conversation: conversation)
        var retries = 0
        while true {
            transcript.record(.callStart, [("step", .string(step.id)), ("workflow", .string(callee.source.path)),
                                           ("name", .string(callee.workflow.name)),                                           ("workflow_sha256", .string(callee.sha256)), ("inputs", JSON(inputs))])
            var child = self
            child.transcript = CallTranscript(inner: transcript, step: step.id)
            child.providers = providers.answeringMock(callee.workflow.mock)
            var progress = RunProgress()
            var output: String?
            var failure: RunError?
            do throws(RunError) {
                output = try await child.execute(callee, inputs: inputs, run: &progress) ?? ""
            } catch {
                failure = Self.placed(error, in: callee, calledBy: step)
            }
            run.absorbCall(progress)
            var reason = failure == nil ? BranchReason.stop : .error
            var parsed: JSON?
            if let output, step.parsesJSON {
                switch Conversation.parse(output) {
                case .success(let json): parsed = json
                case .failure(let error):
                    reason = .invalid
                    failure = RunError(.stepFailed, "step '\(step.id)' asked for JSON (parse: json) and '\(call.path)' gave output that is not valid JSON: \(error.description)",
                                       step: step.id)
                }
            }
            transcript.record(.callEnd, JSON.object(omittingNil: [
                ("step", .string(step.id)), ("status", .string(output == nil ? "failed" : "succeeded")),
                ("output", output.map(JSON.string)), ("error", failure.map { .string($0.message) }),
            ]).pairs)
            let action = try branch(step, reason: reason, text: failure?.message ?? output ?? "", logprobs: nil, run: &run)
            switch action {
            case .retry(let spec):
                guard retries < spec.count else { return .fail(failure ?? RunError(.stepFailed, "step '\(step.id)' failed", step: step.id)) }
                retries += 1
            case .next, .end, .goto:
                if let output, reason == .stop {
                    if let save = step.save { conversation.variables[save] = parsed.map { JSONNumberText.templateValue($0, text: output) } ?? .string(output) }
                    run.lastCall = (run.steps.count, output)
                    onAnswer?(step.id, output)
                }
                if case .goto(let id) = action { return .goto(id) }
                return action == .end ? .end : .next
            case .fail(let message?):
                return .fail(RunError(.stepFailed, "step '\(step.id)': \(message)", step: step.id))
            case .fail(nil), .continueAnswer, .tools:
                // continue and tools on a call are refused when the workflow loads.
                return .fail(failure ?? RunError(.stepFailed, "step '\(step.id)' failed", step: step.id))
            }
        }
    }

    /// The callee's inputs: each `vars:` value rendered with this run's variables (one tag alone
    /// passes the value itself, a list stays a list), then the callee's defaults.
    static func callInputs(_ call: CallSpec, callee: Workflow, step: Step, conversation: Conversation) throws(RunError) -> [String: TemplateValue] {
        var given: [String: TemplateValue] = [:]
        for input in call.vars {
            if case .inline(let text) = input.value.kind, let name = singleTag(text), let value = conversation.value(at: name) {
                given[input.name] = value
            } else {
                given[input.name] = .string(try conversation.render(input.value, step: step.id))
            }
        }
        var inputs: [String: TemplateValue] = [:]
        for variable in callee.vars {
            guard let value = given[variable.name] ?? variable.defaultValue else {
                throw RunError(.invalid, "step '\(step.id)' calls '\(call.path)' without its required variable '\(variable.name)'", step: step.id)
            }
            inputs[variable.name] = value
        }
        return inputs
    }

    /// `name` when `text` is one variable tag and nothing else (`{{ ticket }}`, `{{doc.chunks}}`).
    static func singleTag(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.count > 4 else { return nil }
        let name = trimmed.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces)
        let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        return allowed && !name.isEmpty && !name.hasPrefix(".") ? name : nil
    }

    /// A callee's error, placed in the callee's file (at its step when it names one) and saying
    /// which call reached it, so it prints as the callee's file:line:col.
    static func placed(_ error: RunError, in callee: LoadedWorkflow, calledBy step: Step) -> RunError {
        var placed = error
        if placed.mark == nil, let id = error.step, let inner = callee.workflow.steps.first(where: { $0.id == id }) {
            placed.mark = inner.mark
            placed.file = callee.source.path
        }
        placed.message = "step '\(step.id)' (call \(step.call?.path ?? callee.source.path)): \(error.message)"
        placed.step = step.id
        return placed
    }
}

/// A called workflow's events: each carries the call's path (`reply`, or `triage/reply` for a
/// call inside a call), so the transcript reads as a tree.
struct CallTranscript: TranscriptSink {
    let inner: any TranscriptSink
    let step: String

    func record(_ type: EventType, _ fields: [(String, JSON)]) {
        var tagged = fields
        if let index = tagged.firstIndex(where: { $0.0 == "call" }), case .string(let deeper) = tagged[index].1 {
            tagged[index].1 = .string(step + "/" + deeper)
        } else {
            tagged.append(("call", .string(step)))
        }
        inner.record(type, tagged)
    }

    var isRecording: Bool { inner.isRecording }
}

extension RunProgress {
    /// Adds what a called workflow spent: its answers (so totals and `flow cost` count them),
    /// its tokens and cost (so this run's budgets do). Its path is its own.
    mutating func absorbCall(_ call: RunProgress) {
        steps += call.steps
        tokensUsed += call.tokensUsed
        costUSD += call.costUSD
        unpricedModels.formUnion(call.unpricedModels)
    }
}
