import FlowTemplate

/// One step's request as `flow render` shows it.
public struct StepPreview: Sendable {
    public var id: String
    public var model: ModelRef
    public var request: ChatRequest
    /// The answer later steps see: a scripted mock reply, or a stand-in.
    public var answer: String
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
            let model = conversation.model(for: step)
            let request = try conversation.request(for: step)
            var answer = "[answer of step '\(step.id)']"
            var standIn = true
            if model.provider == "mock", let reply = replies.popFirst() {
                answer = (request.prefill ?? "") + reply.content
                standIn = false
            }
            previews.append(StepPreview(id: step.id, model: model, request: request, answer: answer, answerIsStandIn: standIn))
            do {
                try conversation.answer(answer, for: step)
            } catch {
                // A stand-in is not JSON (the message is already added): keep it as text.
                if let save = step.save { conversation.variables[save] = .string(answer) }
            }
            if standIn { conversation.missingOverride = .placeholder }
        }
        return previews
    }
}
