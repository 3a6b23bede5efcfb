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
        // A system prompt that renders empty (a variant's `system: ""`, an unset optional
        // variable) is not sent: providers refuse or ignore an empty system turn.
        if let system = loaded.workflow.system {
            let text = try render(system, step: nil)
            if !text.allSatisfy(\.isWhitespace) {
                var message = ChatMessage(.system, text)
                message.cacheBreakpoint = system.cache
                messages.append(message)
            }
        }
        if let name = loaded.workflow.history { messages += try Self.history(inputs[name] ?? .null, name: name) }
    }

    /// The earlier turns a `history:` variable holds: a list of `{role: user|assistant, content}`,
    /// as chat apps keep them. Anything else is an error naming the item, not a guess.
    static func history(_ value: TemplateValue, name: String) throws(RunError) -> [ChatMessage] {
        guard case .list(let items) = value else {
            throw RunError(.invalid, "history '\(name)' must be a list of {role, content} messages, got \(value.jsonText.prefix(40))", step: nil)
        }
        var messages: [ChatMessage] = []
        for (index, item) in items.enumerated() {
            guard case .map(let fields) = item, case .string(let role)? = fields["role"], let content = fields["content"] else {
                throw RunError(.invalid, "history '\(name)' item \(index + 1) must be {role: user|assistant, content: text}", step: nil)
            }
            switch role {
            case "user": messages.append(ChatMessage(.user, content.interpolated))
            case "assistant": messages.append(ChatMessage(.assistant, content.interpolated))
            default: throw RunError(.invalid, "history '\(name)' item \(index + 1) has role '\(role)'; earlier turns are 'user' or 'assistant'", step: nil)
            }
        }
        return messages
    }

    /// The model a step runs on: its own, or the workflow's (the decoder guarantees one).
    func model(for step: Step) -> ModelRef {
        step.model ?? loaded.workflow.model!
    }

    /// Drops every turn but the system prompt: the step starts a fresh conversation.
    mutating func startFresh() {
        messages = messages.filter { $0.role == .system }
    }

    /// Adds the step's user turn (`asked` for a step that reads it) and returns the request to send.
    mutating func request(for step: Step, asked: String? = nil) throws(RunError) -> ChatRequest {
        var user = asked ?? ""
        if let template = step.user { user = try render(template, step: step.id) }
        var prefill: String?
        if let template = step.prefill { prefill = try render(template, step: step.id) }
        var parts: [MessagePart] = []
        for part in step.userParts {
            switch part {
            case .text(let template): parts.append(.text(try render(template, step: step.id)))
            case .media(let reference): if let media = loaded.media[reference] { parts.append(.media(media)) }
            }
        }
        if !parts.isEmpty {
            user = parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n\n")
        }
        var message = ChatMessage(.user, user)
        message.parts = parts
        message.cacheBreakpoint = step.cache || step.user?.cache == true
            || step.userParts.contains { if case .text(let text) = $0 { text.cache } else { false } }
        messages.append(message)
        var request = ChatRequest(model: model(for: step).name, messages: messages,
                                  params: loaded.workflow.params.merged(with: step.params), prefill: prefill)
        request.responseSchema = step.schema
        request.promptCacheKey = loaded.workflow.promptCacheKey
        return request
    }

    /// Adds the assistant's answer (prefill included) and saves it: `parsed` when the step
    /// parsed it as JSON, else the text.
    mutating func answer(_ text: String, for step: Step, parsed: JSON? = nil, choices: [String] = []) {
        messages.append(ChatMessage(.assistant, text))
        // Numbers keep the text the answer gave them (5.50 stays 5.50 in the next prompt).
        if let save = step.save { variables[save] = parsed.map { JSONNumberText.templateValue($0, text: text) } ?? .string(text) }
        // `{{step-id.choices}}`: every answer of a step that asked for several (`n`).
        if choices.count > 1 { variables[step.id] = .map(["choices": .list(choices.map(TemplateValue.string))]) }
    }

    /// The answer parsed as JSON for `parse: json`; the prefill is part of the text parsed
    /// (a prefill of "{" is the usual way to ask for JSON).
    static func parse(_ text: String) -> Result<JSON, JSONError> {
        do {
            return .success(try JSON.parse(text))
        } catch {
            return .failure(error)
        }
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
