import FlowYAML

/// The messages of an imported prompt file as a flow conversation: system turns become the
/// system prompt, each user turn a step with its own template, a closing assistant turn that
/// step's prefill, and a chat-history loop the workflow's `history:`. Every importer shares it,
/// so all say the same about what does not fit.
struct ImportedConversation {
    enum Part {
        case text(String)
        /// An image by URL or by a path relative to the imported file.
        case image(String)
    }

    struct Message {
        var role: String
        var text: String
        var line: Int
        /// The names the text reads, when a translation knows them better than a scan of the
        /// Mustache (a loop item's fields are not variables).
        var variables: [String]?
        /// Text and images in order, when the message has images.
        var parts: [Part]?

        init(role: String, text: String, line: Int, variables: [String]? = nil, parts: [Part]? = nil) {
            self.role = role
            self.text = text
            self.line = line
            self.variables = variables
            self.parts = parts
        }
    }

    struct Step {
        var id: String
        var template: String?
        var parts: [Part]?
        var prefill: String?
        /// Extra step lines (`schema:`, `parse: json`), already indented.
        var extra: [String] = []
    }

    private(set) var templates: [(path: String, text: String)] = []
    var steps: [Step] = []
    private var systemParts: [String] = []
    private let name: String
    private var declared: [String] = []
    /// The variable holding earlier turns, if the original had a chat-history loop.
    var history: String?

    init(_ messages: [Message], name: String, note: (Int, String) -> Void) {
        self.name = name
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "system", "developer":
                systemParts.append(message.text)
            case "user":
                let path = "\(name).user\(steps.isEmpty ? "" : String(steps.count + 1)).mustache"
                let id = steps.isEmpty ? "answer" : "answer\(steps.count + 1)"
                if let parts = message.parts {
                    steps.append(Step(id: id, parts: parts))
                } else {
                    templates.append((path, message.text))
                    steps.append(Step(id: id, template: path))
                }
            case "assistant" where index == messages.count - 1 && !steps.isEmpty:
                steps[steps.count - 1].prefill = message.text
                note(message.line, "the closing assistant turn is the step's prefill: the model continues it, and the saved answer starts with it")
            case "assistant":
                note(message.line, "an assistant turn between user turns cannot be replayed as fixed text in flow: the step before it lets the model answer instead")
            default:
                note(message.line, "a message with role '\(message.role)' has no flow equivalent and was not carried over")
            }
            for variable in message.variables ?? TemplateNames.variables(in: [message.text]) where !declared.contains(variable) {
                declared.append(variable)
            }
        }
        if !systemParts.isEmpty { templates.append(("\(name).system.mustache", systemParts.joined(separator: "\n\n"))) }
        if systemParts.count > 1, let second = messages.filter({ $0.role == "system" || $0.role == "developer" }).dropFirst().first {
            note(second.line, "\(systemParts.count) system messages are sent as one system prompt, a blank line between them (a flow workflow has one)")
        }
    }

    /// Whether the messages had a system prompt.
    var hasSystem: Bool { !systemParts.isEmpty }

    /// The names the templates read, in first-use order, the history variable among them.
    var variables: [String] { declared + (history.map { declared.contains($0) ? [] : [$0] } ?? []) }

    /// The `vars:`, `history:`, `system:` and `steps:` lines. Each variable's default is
    /// `value`'s YAML text; one with none is required (`null`), the history an empty list.
    func lines(defaultOf value: (String) -> String?) -> [String] {
        var lines: [String] = []
        if !variables.isEmpty {
            lines.append("vars:")
            for variable in variables { lines.append("  \(variable): " + (value(variable) ?? (variable == history ? "[]" : "null"))) }
        }
        if let history { lines.append("history: \(history)") }
        if !systemParts.isEmpty { lines.append("system: {file: \(name).system.mustache}") }
        lines.append("steps:")
        for step in steps {
            lines.append("  - id: \(step.id)")
            if let template = step.template { lines.append("    user: {file: \(template)}") }
            if let parts = step.parts {
                lines.append("    user:")
                for part in parts {
                    switch part {
                    case .text(let text): lines.append("      - " + YAMLText.quoted(text))
                    case .image(let source):
                        let key = source.hasPrefix("http://") || source.hasPrefix("https://") ? "url" : "file"
                        lines.append("      - {image: {\(key): " + YAMLText.quoted(source) + "}}")
                    }
                }
            }
            if let prefill = step.prefill { lines.append("    prefill: " + YAMLText.quoted(prefill)) }
            lines += step.extra
        }
        return lines
    }

    /// `{path: [every step]}`: the check a case makes when nothing else was carried over.
    var pathCheck: String { "{path: [" + steps.map(\.id).joined(separator: ", ") + "]}" }

    /// Model parameters renamed to flow's, as `key: value` entries; the rest noted.
    static func parameters(_ node: Node?, names: [String: String], note: (Int, String) -> Void) -> [String] {
        var params: [String] = []
        for pair in node?.mapping ?? [] {
            let key = pair.key.scalar?.text ?? ""
            if let flowName = names[key] {
                params.append(flowName + ": " + YAMLText.value(pair.value))
            } else if ["reasoningEffort", "reasoning_effort"].contains(key), let effort = pair.value.scalar?.text {
                params.append("reasoning: {effort: " + YAMLText.quoted(effort) + "}")
            } else {
                note(pair.key.mark.line, "model parameter '\(key)' has no flow equivalent and was not carried over")
            }
        }
        return params
    }

    /// The `params:` line for `entries`, or nothing.
    static func paramsLine(_ entries: [String]) -> [String] {
        entries.isEmpty ? [] : ["params: {" + entries.joined(separator: ", ") + "}"]
    }
}
