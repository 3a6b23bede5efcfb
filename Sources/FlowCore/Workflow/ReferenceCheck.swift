import FlowSource
import FlowTemplate

/// Checks, before anything is sent, that every template variable names an input or the `save`
/// of an earlier step (or, in a mapped step, its item). Pure: works on parsed templates.
enum ReferenceCheck {
    static func diagnostics(for workflow: Workflow, templates: [TemplateSource: LoadedTemplate], source: SourceFile) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let inputs = workflow.vars.map(\.name)
        var laterSaves: [String: String] = [:]
        for step in workflow.steps { if let save = step.save { laterSaves[save] = step.id } }

        // Saves of the steps beside the current one that it does not wait for.
        var besides: [String: String] = [:]

        func hint(for head: String, known: [String]) -> String {
            if let step = besides[head] { return "'\(head)' is saved by step '\(step)', which runs side by side with this one: add '\(step)' to its 'after:'" }
            if let step = laterSaves[head] { return "'\(head)' is saved by step '\(step)', which runs later" }
            return Suggestion.hint(for: head, in: known) ?? (known.isEmpty ? "declare it under 'vars:'" : "defined here: " + known.joined(separator: ", "))
        }

        func check(_ source: TemplateSource?, known: [String]) {
            // `strict: false` promises that missing names render as nothing: nothing to refuse.
            guard let source, let loaded = templates[source], loaded.strict else { return }
            for name in loaded.template.variables {
                let head = String(name.split(separator: ".", maxSplits: 1).first ?? Substring(name))
                if known.contains(head) { continue }
                problems.append(loaded.diagnostic(TemplateError(
                    mark: mark(of: name, in: loaded.template), message: "variable '\(name)' is not defined", hint: hint(for: head, known: known))))
            }
        }

        check(workflow.system, known: inputs)
        var known = inputs
        var groupBase: [String] = []
        for (index, step) in workflow.steps.enumerated() {
            var before = known
            besides = [:]
            // A step side by side reads what was known when its group began and what the steps
            // it waits for save; the others beside it may not have answered yet.
            let group = workflow.sideBySide(at: index)
            if !group.isEmpty {
                if index == group.lowerBound { groupBase = known }
                let waited = workflow.waitedFor(by: index, in: group)
                before = groupBase + waited.sorted().compactMap { workflow.steps[$0].save }
                for member in group where member != index && !waited.contains(member) {
                    if let save = workflow.steps[member].save { besides[save] = workflow.steps[member].id }
                }
            }
            var inStep = before
            if let map = step.map {
                let head = String(map.over.split(separator: ".").first ?? "")
                if !before.contains(head) {
                    problems.append(Diagnostic(source, map.overMark, "step '\(step.id)' maps over '\(map.over)', which is not defined",
                                               hint: hint(for: head, known: before)))
                }
                if before.contains(map.name) {
                    problems.append(Diagnostic(source, map.overMark, "step '\(step.id)' names its item '\(map.name)', which hides the variable of that name",
                                               hint: "pick another name for 'as:'"))
                }
                inStep.append(map.name)
            }
            check(step.user, known: inStep)
            for case .text(let text) in step.userParts { check(text, known: inStep) }
            check(step.prefill, known: inStep)
            for input in step.call?.vars ?? [] { check(input.value, known: inStep) }
            if let save = step.save {
                known.append(save)
                laterSaves[save] = nil
            }
            // A step asking for several answers makes `{{its-id.choices}}`.
            if (workflow.params.merged(with: step.params).n ?? 1) > 1 { known.append(step.id) }
        }
        check(workflow.output, known: known)
        return problems
    }

    private static func mark(of name: String, in template: Template) -> Mark {
        template.marks(of: name).first ?? Mark(line: 1, column: 1)
    }
}
