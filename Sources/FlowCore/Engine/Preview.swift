import FlowTemplate

/// One step's request as `flow render` shows it.
public struct StepPreview: Sendable {
    /// The step's id.
    public var id: String
    /// The model the step runs on.
    public var model: ModelRef
    /// The request that would be sent, with the conversation so far.
    public var request: ChatRequest
    /// The answer later steps see: a scripted mock reply, or a stand-in.
    public var answer: String
    /// Whether `answer` is a stand-in rather than a scripted reply.
    public var answerIsStandIn: Bool
}

/// Renders every step's request without sending anything: how a reviewer reads a prompt change.
public enum Preview {
    /// Answers come from the workflow's `mock:` list for steps on a mock model; otherwise a
    /// stand-in `[answer of step 'id']` takes their place, and from then on names that would
    /// read fields of a stand-in render as `[name]` instead of failing.
    public static func steps(_ loaded: LoadedWorkflow, inputs: [String: TemplateValue]) throws(RunError) -> [StepPreview] {
        var conversation = try Conversation(loaded, inputs: inputs)
        var replies = loaded.workflow.mock[...]
        var previews: [StepPreview] = []
        for step in loaded.workflow.steps {
            // A call's requests are its callee's, rendered when that workflow is; here its answer is a stand-in.
            if step.call != nil {
                if let save = step.save { conversation.variables[save] = .string("[answer of step '\(step.id)']") }
                conversation.missingOverride = .placeholder
                continue
            }
            let model = conversation.model(for: step)
            if step.fresh { conversation.startFresh() }
            // A mapped step is shown as its first item asks it, in a conversation of its own.
            let beforeMap = conversation
            if let map = step.map {
                conversation.startFresh()
                // The run's own readers of the list (or the split text); what they refuse is a stand-in here.
                let items = try? map.split.map { split throws(RunError) in try conversation.chunks(map.over, split: split, step: step.id) }
                    ?? conversation.list(map.over, step: step.id)
                if let first = items?.first {
                    conversation.variables[map.name] = first
                } else {
                    conversation.variables[map.name] = .string("[item of \(map.over)]")
                    conversation.missingOverride = .placeholder
                }
            }
            let request = try conversation.request(for: step, asked: step.ask.map { "[input: \($0.prompt)]" })
            var answer = "[answer of step '\(step.id)']"
            var standIn = true
            if model.isMock, let reply = replies.popFirst() {
                answer = (request.prefill ?? "") + reply.content
                standIn = false
            }
            previews.append(StepPreview(id: step.id, model: model, request: request, answer: answer, answerIsStandIn: standIn))
            // A stand-in is not JSON: it is kept as text, and names inside it render as [name].
            let parsed = step.parsesJSON ? try? Conversation.parse(answer).get() : nil
            if step.map != nil {
                // The map's answers are a list, of stand-ins here; the next step goes on from before the map.
                let placeholder = conversation.missingOverride
                conversation = beforeMap
                if let save = step.save { conversation.variables[save] = .list([.string(answer)]) }
                conversation.missingOverride = standIn ? .placeholder : placeholder
                continue
            }
            conversation.answer(answer, for: step, parsed: parsed)
            if standIn { conversation.missingOverride = .placeholder }
        }
        return previews
    }
}
