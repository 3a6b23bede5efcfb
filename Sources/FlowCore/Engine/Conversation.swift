import FlowTemplate

/// The state a run carries from step to step: variables and the messages so far. Pure: the
/// interpreter and `flow render` both drive it, one with real answers, one with stand-ins.
struct Conversation {
    let loaded: LoadedWorkflow
    var variables: [String: TemplateValue]
    var messages: [ChatMessage] = []
    /// Set by previews once an answer is a stand-in: names inside it render as `[name]`.
    var missingOverride: MissingPolicy?

    /// Starts with the system prompt rendered from the inputs.
    init(_ loaded: LoadedWorkflow, inputs: [String: TemplateValue]) throws(RunError) {
        self.loaded = loaded
        variables = inputs
        if let system = loaded.workflow.system {
            messages.append(ChatMessage(.system, try render(system, step: nil)))
        }
    }

    /// The model a step runs on: its own, or the workflow's (the decoder guarantees one).
    func model(for step: Step) -> ModelRef {
        step.model ?? loaded.workflow.model!
    }

    /// Adds the step's user turn and returns the request to send.
    mutating func request(for step: Step) throws(RunError) -> ChatRequest {
        let user = try render(step.user, step: step.id)
        var prefill: String?
        if let template = step.prefill { prefill = try render(template, step: step.id) }
        messages.append(ChatMessage(.user, user))
        return ChatRequest(model: model(for: step).name, messages: messages,
                           params: loaded.workflow.params.merged(with: step.params), prefill: prefill)
    }

    /// Adds the assistant's answer (prefill included) and saves it, parsed when the step asks.
    mutating func answer(_ text: String, for step: Step) throws(RunError) {
        messages.append(ChatMessage(.assistant, text))
        var saved = TemplateValue.string(text)
        if step.parsesJSON {
            // The prefill is part of the text parsed: a prefill of "{" is the usual way to ask for JSON.
            do {
                saved = TemplateValue(try JSON.parse(text))
            } catch {
                throw RunError(.stepFailed, "step '\(step.id)' asked for JSON (parse: json) and the answer is not valid JSON: \(error)",
                               step: step.id)
            }
        }
        if let save = step.save { variables[save] = saved }
    }

    func render(_ source: TemplateSource, step: String?) throws(RunError) -> String {
        let template = loaded.template(source)
        var options = loaded.renderOptions(strict: template.strict)
        if let missingOverride { options.missing = missingOverride }
        do {
            return try template.template.render(variables, options: options)
        } catch {
            throw RunError(.invalid, loaded.diagnostic(error, in: template).description, step: step)
        }
    }
}
