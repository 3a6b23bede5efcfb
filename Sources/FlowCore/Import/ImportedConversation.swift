import FlowYAML

/// The messages of an imported prompt file as a flow conversation: system turns become the
/// system prompt, each user turn a step with its own template, and a closing assistant turn that
/// step's prefill. Both importers share it, so both say the same about what does not fit.
struct ImportedConversation {
    struct Message {
        var role: String
        var text: String
        var line: Int
    }

    struct Step {
        var id: String
        var template: String
        var prefill: String?
    }

    private(set) var templates: [(path: String, text: String)] = []
    private(set) var steps: [Step] = []
    private var systemParts: [String] = []
    private let name: String

    init(_ messages: [Message], name: String, note: (Int, String) -> Void) {
        self.name = name
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "system":
                systemParts.append(message.text)
            case "user":
                let path = "\(name).user\(steps.isEmpty ? "" : String(steps.count + 1)).mustache"
                templates.append((path, message.text))
                steps.append(Step(id: steps.isEmpty ? "answer" : "answer\(steps.count + 1)", template: path))
            case "assistant" where index == messages.count - 1 && !steps.isEmpty:
                steps[steps.count - 1].prefill = message.text
                note(message.line, "the closing assistant turn is the step's prefill: the model continues it, and the saved answer starts with it")
            case "assistant":
                note(message.line, "an assistant turn between user turns cannot be replayed as fixed text in flow: the step before it lets the model answer instead")
            default:
                note(message.line, "a message with role '\(message.role)' has no flow equivalent and was not carried over")
            }
        }
        if !systemParts.isEmpty { templates.append(("\(name).system.mustache", systemParts.joined(separator: "\n\n"))) }
    }

    /// The names the templates read, in first-use order.
    var variables: [String] { TemplateNames.variables(in: templates.map(\.text)) }

    /// The `vars:`, `system:` and `steps:` lines, each variable's default from `value`.
    func lines(defaultOf value: (String) -> Node?) -> [String] {
        var lines: [String] = []
        if !variables.isEmpty {
            lines.append("vars:")
            for variable in variables { lines.append("  \(variable): " + (value(variable).map(YAMLText.value) ?? "\"\"")) }
        }
        if !systemParts.isEmpty { lines.append("system: {file: \(name).system.mustache}") }
        lines.append("steps:")
        for step in steps {
            lines.append("  - id: \(step.id)")
            lines.append("    user: {file: \(step.template)}")
            if let prefill = step.prefill { lines.append("    prefill: " + YAMLText.quoted(prefill)) }
        }
        return lines
    }

    /// `{path: [every step]}`: the check a case makes when nothing else was carried over.
    var pathCheck: String { "{path: [" + steps.map(\.id).joined(separator: ", ") + "]}" }

    /// Model parameters renamed to flow's; the rest noted.
    static func parameters(_ node: Node?, names: [String: String], note: (Node, String) -> Void) -> [String] {
        var params: [String] = []
        for pair in node?.mapping ?? [] {
            let key = pair.key.scalar?.text ?? ""
            if let flowName = names[key] {
                params.append(flowName + ": " + YAMLText.value(pair.value))
            } else {
                note(pair.key, "model parameter '\(key)' has no flow equivalent and was not carried over")
            }
        }
        return params.isEmpty ? [] : ["params: {" + params.joined(separator: ", ") + "}"]
    }
}
