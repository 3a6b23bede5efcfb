import FlowSource
import FlowYAML

/// `after:` — steps side by side. A step waits only for steps written above it, so waiting can
/// never loop; the steps written together with `after` form a group that starts together, each
/// step as soon as those it waits for have answered.
extension WorkflowDecoder {
    /// `after: [a, b]`, or `after: a` for one; `after: []` waits for nothing.
    mutating func after(_ node: Node) -> [String] {
        if let scalar = node.scalar { return [scalar.text] }
        guard let items = sequence(node, "after") else { return [] }
        return items.compactMap { string($0, "a step id in 'after'") }
    }

    /// What a group of side-by-side steps must be: waits for steps above, ends by going on,
    /// is entered at its first step, and saves each name once.
    mutating func checkSideBySide(_ workflow: Workflow) {
        let ids = workflow.steps.map(\.id)
        for (index, step) in workflow.steps.enumerated() {
            if let after = step.after, let mark = step.afterMark {
                for id in after {
                    guard let target = workflow.index(of: id) else {
                        report(mark, "step '\(step.id)' waits for '\(id)', which is not a step",
                               hint: Suggestion.hint(for: id, in: ids) ?? "steps: " + ids.joined(separator: ", "))
                        continue
                    }
                    if target >= index {
                        report(mark, target == index ? "step '\(step.id)' waits for itself"
                               : "step '\(step.id)' waits for '\(id)', which is written below it",
                               hint: "a step waits only for steps above it, so waiting never loops: move '\(id)' above '\(step.id)'")
                    }
                }
                for cases in step.branches.values {
                    for branchCase in cases {
                        switch branchCase.action {
                        case .goto, .end:
                            report(branchCase.actionMark ?? branchCase.mark,
                                   "step '\(step.id)' runs side by side, so it ends by going on: '\(branchCase.action.name)' would leave the steps beside it half-run",
                                   hint: "use next, fail or retry here, and branch in a step after the group")
                        default: break
                        }
                    }
                }
            }
            for branchCase in step.branches.values.joined() {
                guard case .goto(let target) = branchCase.action, let targetIndex = workflow.index(of: target) else { continue }
                let group = workflow.sideBySide(at: targetIndex)
                if !group.isEmpty, targetIndex != group.lowerBound {
                    report(branchCase.actionMark ?? branchCase.mark,
                           "step '\(step.id)' goes to '\(target)', inside a group of steps side by side",
                           hint: "go to the group's first step, '\(workflow.steps[group.lowerBound].id)', which runs the whole group")
                }
            }
        }
        // Two steps side by side saving one name would race for it.
        var index = 0
        while index < workflow.steps.count {
            let group = workflow.sideBySide(at: index)
            guard !group.isEmpty else { index += 1; continue }
            var saved: [String: String] = [:]
            for member in group {
                let step = workflow.steps[member]
                guard let save = step.save else { continue }
                if let other = saved[save] {
                    report(step.mark, "steps '\(other)' and '\(step.id)' run side by side and both save '\(save)'", hint: "give each its own name")
                }
                saved[save] = step.id
            }
            index = group.upperBound
        }
    }
}
