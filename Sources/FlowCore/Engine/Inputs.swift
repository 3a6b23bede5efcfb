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
        // A value given as text is text, except where the workflow wants a list or a mapping: a
        // variable a map runs over or the `history:`, or one whose default is one. There a JSON array or object is
        // read as such, so `--var tickets='["a", "b"]'` maps over two items.
        let mapped = Set(workflow.steps.compactMap(\.map).filter { $0.split == nil }.map { String($0.over.split(separator: ".").first ?? "") })
        var values: [String: TemplateValue] = [:]
        for variable in workflow.vars {
            if let text = given[variable.name] {
                let structured: Bool = switch variable.defaultValue { case .list?, .map?: true; default: mapped.contains(variable.name) || variable.name == workflow.history }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard structured, trimmed.hasPrefix("[") || trimmed.hasPrefix("{") else {
                    values[variable.name] = .string(text)
                    continue
                }
                guard let json = try? JSON.parse(trimmed) else {
                    throw RunError(.usage, "--var \(variable.name): the workflow reads a list here, and the value is not valid JSON; write it as a JSON array, e.g. --var \(variable.name)='[\"first\", \"second\"]'")
                }
                values[variable.name] = TemplateValue(json)
            } else if let value = variable.defaultValue {
                values[variable.name] = value
            } else {
                throw RunError(.usage, "variable '\(variable.name)' is required: pass --var \(variable.name)=VALUE")
            }
        }
        return values
    }

    /// Values an app or a request gives already typed (FlowKit, `flow serve`), over the
    /// declared defaults. Throws `.usage` for an undeclared name (with a did-you-mean) or a
    /// required one left out.
    public static func resolve(values given: [String: TemplateValue], for workflow: Workflow) throws(RunError) -> [String: TemplateValue] {
        let declared = workflow.vars.map(\.name)
        for name in given.keys.sorted() where !declared.contains(name) {
            throw RunError(.usage, "the workflow has no input '\(name)'" + (Suggestion.hint(for: name, in: declared).map { " (\($0))" } ?? "")
                           + "; it declares " + (declared.isEmpty ? "none" : declared.joined(separator: ", ")))
        }
        var values: [String: TemplateValue] = [:]
        for variable in workflow.vars {
            if let value = given[variable.name] { values[variable.name] = value }
            else if let value = variable.defaultValue { values[variable.name] = value }
            else { throw RunError(.usage, "input '\(variable.name)' is required") }
        }
        return values
    }
}
