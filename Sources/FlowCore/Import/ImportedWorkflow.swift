import FlowSource
import FlowYAML

/// A workflow made from another tool's prompt file: the workflow's YAML text, the template files
/// it names (paths relative to the workflow), and every part of the original that could not be
/// carried over, each at its line, so nothing is dropped without a word.
public struct ImportedWorkflow: Sendable {
    /// The workflow file's text.
    public var workflow: String
    /// The files it names (templates, datasets) by path relative to the workflow.
    public var files: [(path: String, text: String)] = []
    /// What was not carried over, as `file:line: what and why`.
    public var notes: [String] = []
    /// Variables with no value, which a run must be given.
    public var required: [String] = []
    /// Whether its cases have no answers yet: they need one `flow test --live --record`.
    public var needsRecording = false
    /// The `flow.config.yaml` the workflow's compatible servers need, when it names any.
    public var config: String?
    /// Whether the original is itself NAME.yaml, so the workflow is written as NAME.flow.yaml.
    public var workflowBesideSameName = false
    /// Whether the workflow has `tests:`, so `flow test` has cases to run.
    public var hasTests: Bool { workflow.contains("\ntests:\n") }
}

/// Writing YAML text by hand, for importers: every string is double-quoted (a JSON string is a
/// valid YAML double-quoted scalar), so no value can change the structure.
enum YAMLText {
    static func quoted(_ text: String) -> String { JSON.string(text).serialized }

    /// A scalar read from YAML, written back as the same kind of value.
    static func value(_ node: Node) -> String {
        switch node.content {
        case .scalar(let scalar):
            if scalar.style == .plain, Double(scalar.text) != nil || ["true", "false", "null"].contains(scalar.text) { return scalar.text }
            return quoted(scalar.text)
        case .sequence(let items):
            return "[" + items.map(value).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            return "{" + pairs.map { quoted($0.key.scalar?.text ?? "") + ": " + value($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// A regular expression matching `text` literally (for starts-with and ends-with checks).
    static func literalPattern(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
