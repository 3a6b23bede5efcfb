import FlowSource
import FlowYAML

/// The workflows `call:` steps name, loaded with their caller so `flow validate` checks the
/// whole tree: each callee's problems are placed in its own file, a loop of calls is refused
/// where it closes, and the inputs a call gives are checked against the callee's `vars`.
extension WorkflowLoader {
    static func loadCallees(_ workflow: Workflow, directory: String, root: ProjectRoot, source: SourceFile,
                            limits: YAMLLimits, chain: [String]) -> (callees: [String: LoadedWorkflow], problems: [Diagnostic]) {
        var callees: [String: LoadedWorkflow] = [:]
        var failed: Set<String> = []
        var problems: [Diagnostic] = []
        for step in workflow.steps {
            guard let call = step.call else { continue }
            let path = normalize(call.path.hasPrefix("/") || directory.isEmpty ? call.path : directory + "/" + call.path)
            if let start = chain.firstIndex(of: path) {
                let loop = (chain[start...] + [path]).joined(separator: " → ")
                problems.append(Diagnostic(source, call.mark, "step '\(step.id)' calls '\(call.path)', which closes a loop of calls: \(loop)",
                                           hint: "a workflow cannot call itself, directly or through others; move the shared part into a workflow both call"))
                continue
            }
            if callees[call.path] == nil, !failed.contains(call.path) {
                do {
                    try checkInside(root, path, referencedAt: call.mark, from: source)
                    callees[call.path] = try load(path: path, limits: limits, chain: chain, reference: (call.mark, source))
                } catch {
                    failed.insert(call.path)
                    let placedHere = error.diagnostics.allSatisfy { $0.path == source.path }
                    // The callee's own problems are in its file; the caller's line says which call reached them.
                    if !placedHere {
                        problems.append(Diagnostic(source, call.mark, "step '\(step.id)' calls '\(call.path)', which is invalid (\(count(error.diagnostics.count)) below)",
                                                   hint: "fix the called workflow; `flow validate \(path)` checks it alone"))
                    }
                    problems += error.diagnostics
                }
            }
            guard let callee = callees[call.path] else { continue }
            problems += inputProblems(call, step: step.id, callee: callee.workflow, source: source)
        }
        return (callees, problems)
    }

    /// A call gives only variables the callee declares, and every one it requires.
    private static func inputProblems(_ call: CallSpec, step: String, callee: Workflow, source: SourceFile) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let declared = callee.vars.map(\.name)
        for input in call.vars where !declared.contains(input.name) {
            let hint = Suggestion.hint(for: input.name, in: declared)
                ?? (declared.isEmpty ? "'\(call.path)' declares no variables" : "its variables: " + declared.joined(separator: ", "))
            problems.append(Diagnostic(source, input.mark, "'\(call.path)' has no variable '\(input.name)'", hint: hint))
        }
        let given = Set(call.vars.map(\.name))
        for variable in callee.vars where variable.defaultValue == nil && !given.contains(variable.name) {
            problems.append(Diagnostic(source, call.mark, "step '\(step)' calls '\(call.path)' without its required variable '\(variable.name)'",
                                       hint: "give it under the step's 'vars:', e.g. \(variable.name): \"{{…}}\""))
        }
        return problems
    }

    private static func count(_ problems: Int) -> String { problems == 1 ? "1 problem" : "\(problems) problems" }
}
