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
        // What each name holds, where it is known before the run: a map needs a list (or, with
        // split, a text), and says so here rather than when the step is reached.
        var kinds: [String: (kind: ValueKind, from: String)] = [:]
        for variable in workflow.vars {
            kinds[variable.name] = (ValueKind(variable.defaultValue), "its default, at line \(variable.mark.line)")
        }
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
                if !map.over.contains("."), let (kind, from) = kinds[map.over], let problem = kind.problem(over: map.over, split: map.split != nil, from: from) {
                    problems.append(Diagnostic(source, map.overMark, "step '\(step.id)' \(problem.message)", hint: problem.hint))
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
                let kind: ValueKind = step.map != nil ? .list : (step.parsesJSON ? .unknown : .text)
                let from = "what step '\(step.id)' saves" + (kind == .text ? " (its answer's text; 'parse: json' there would make a JSON array a list)" : "")
                // Saved by several steps (branches, loops) as different kinds: nothing is known.
                kinds[save] = kinds[save].map { $0.kind == kind && $0.from.hasPrefix("what step") ? ($0.kind, $0.from) : (.unknown, "") } ?? (kind, from)
            }
            // A step asking for several answers makes `{{its-id.choices}}`.
            if (workflow.params.merged(with: step.params).n ?? 1) > 1 { known.append(step.id) }
        }
        check(workflow.output, known: known)
        return problems
    }

    /// What a name holds, as far as the workflow says before it runs.
    enum ValueKind: Equatable {
        case list, text, mapping, unknown

        init(_ value: TemplateValue?) {
            switch value {
            case .list?: self = .list
            case .map?: self = .mapping
            case .string?, .int?, .double?, .number?, .bool?: self = .text
            case .null?, nil: self = .unknown
            }
        }

        /// Why `over` cannot be mapped (as it is written, with or without split), if it cannot.
        func problem(over: String, split: Bool, from: String) -> (message: String, hint: String)? {
            switch (self, split) {
            case (.text, false):
                return ("maps over '\(over)', which holds text (\(from)) rather than a list",
                        "cut the text into chunks with split: {by: paragraphs, max_tokens: 1500}, or give a list")
            case (.list, true):
                return ("splits '\(over)', which is a list already (\(from))", "remove 'split' to map over its items")
            case (.mapping, _):
                return ("maps over '\(over)', which holds a mapping (\(from)), not a list", "map over one of its fields that is a list, as 'over: \"{{\(over).items}}\"'")
            default:
                return nil
            }
        }
    }

    private static func mark(of name: String, in template: Template) -> Mark {
        template.marks(of: name).first ?? Mark(line: 1, column: 1)
    }
}
