import FlowSource
import FlowTemplate

/// Merges `--var` values with the workflow's declared defaults.
public enum Inputs {
    /// Every declared variable with a value. Throws `.usage` for an undeclared name or a
    /// required variable left unset, naming the fix.
    public static func resolve(_ given: [String: String], for workflow: Workflow) throws(RunError) -> [String: TemplateValue] {
        let declared = workflow.vars.map(\.name)
        for name in given.keys.sorted() where !declared.contains(name) {
            let hint = Suggestion.hint(for: name, in: declared).map { " (\($0))" } ?? ""
            let known = declared.isEmpty ? "it declares none" : "it declares: " + declared.joined(separator: ", ")
            throw RunError(.usage, "--var \(name): the workflow has no variable '\(name)'\(hint); \(known)")
        }
        var values: [String: TemplateValue] = [:]
        for variable in workflow.vars {
            if let text = given[variable.name] {
                values[variable.name] = .string(text)
            } else if let value = variable.defaultValue {
                values[variable.name] = value
            } else {
                throw RunError(.usage, "variable '\(variable.name)' is required: pass --var \(variable.name)=VALUE")
            }
        }
        return values
    }
}
