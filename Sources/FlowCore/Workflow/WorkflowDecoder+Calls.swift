import FlowSource
import FlowYAML

/// `call:` steps: another workflow run as one step. The callee itself is read by the loader
/// (it is another file); here only the step's own shape is checked.
extension WorkflowDecoder {
    /// The keys a calling step may have: the rest belong to the callee's steps.
    static let callStepKeys = ["id", "call", "vars", "save", "parse", "on", "map", "after"]

    /// A step with `call:`. Its model, prompt and params are the callee's, so the step has none.
    mutating func callStep(_ node: Node, callNode: Node, id: String) -> Step? {
        for pair in node.mapping ?? [] {
            guard let key = pair.key.scalar?.text, Self.stepKeys.contains(key), !Self.callStepKeys.contains(key) else { continue }
            report(pair.key.mark, "step '\(id)' calls a workflow, so '\(key)' belongs in the called workflow's steps",
                   hint: "a calling step has \(Self.callStepKeys.joined(separator: ", ")); remove '\(key)'")
        }
        guard let path = string(callNode, "call") else { return nil }
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else {
            report(callNode.mark, "'call' names a workflow file, got '\(path)'", hint: "for example 'call: reply.yaml', relative to this file")
            return nil
        }
        var call = CallSpec(path: path, mark: callNode.mark)
        if let varsNode = node["vars"], let pairs = mapping(varsNode, "vars") {
            for pair in pairs {
                guard let name = pair.key.scalar?.text, Self.isIdentifier(name) else {
                    report(pair.key.mark, "the names under 'vars' are the called workflow's variables (letters, digits, '_')")
                    continue
                }
                // A number or a word is its own text; a mapping or list is not a template.
                guard let text = pair.value.scalar?.text else {
                    report(pair.value.mark, "'\(name)' under 'vars' must be text (a template such as \"{{ticket}}\"), got \(pair.value.kindDescription)",
                           hint: "pass a list or map as one tag: \"{{name}}\"")
                    continue
                }
                call.vars.append(CallInput(name: name, mark: pair.key.mark, value: .inline(text, pair.value.mark)))
            }
        }
        var step = Step(id: id, mark: node.mark, params: SamplingParams())
        step.call = call
        if let saveNode = node["save"], let name = string(saveNode, "save") {
            if Self.isIdentifier(name) { step.save = name } else {
                report(saveNode.mark, "'save' must be a variable name (letters, digits, '_'), got '\(name)'")
            }
        }
        if let parseNode = node["parse"], let mode = string(parseNode, "parse") {
            if mode == "json" { step.parsesJSON = true } else {
                report(parseNode.mark, "'parse' must be 'json', got '\(mode)'", hint: Suggestion.hint(for: mode, in: ["json"]))
            }
        }
        if let onNode = node["on"] {
            step.branches = branches(onNode)
            checkCallBranches(step)
        }
        if let mapNode = node["map"] { step.map = map(mapNode, step: id) }
        if let afterNode = node["after"] { (step.after, step.afterMark) = (after(afterNode), afterNode.mark) }
        return step
    }

    /// A call ends `stop` (the callee succeeded), `error` (it failed) or `invalid` (its output
    /// is not the JSON `parse:` asks for): continuing an answer, running tools or moving to
    /// another model mean nothing for it, and are refused rather than ignored.
    private mutating func checkCallBranches(_ step: Step) {
        let meaningful: Set<BranchReason> = [.stop, .error, .invalid]
        for (reason, cases) in step.branches {
            for branchCase in cases {
                if !meaningful.contains(reason) {
                    report(branchCase.mark, "step '\(step.id)' calls a workflow, which ends 'stop', 'error' or 'invalid', never '\(reason.rawValue)'",
                           hint: "branch on the called workflow's own steps instead")
                    continue
                }
                switch branchCase.action {
                case .continueAnswer, .tools:
                    report(branchCase.mark, "step '\(step.id)' calls a workflow: '\(branchCase.action.name)' acts on a model's answer, which a call does not have",
                           hint: "use next, end, goto, fail or retry")
                case .retry(let spec) where spec.model != nil || spec.params != SamplingParams():
                    report(branchCase.mark, "step '\(step.id)' calls a workflow: a retry runs it again as written, without other params or models",
                           hint: "write '{retry: \(spec.count)}', or change the called workflow")
                default: break
                }
            }
        }
    }
}
